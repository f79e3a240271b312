import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a production webhook may never reach: the operator's own network (no SSRF) and every
 * other IANA special-purpose range. IPv6 must be global unicast (2000::/3) outside its special ranges.
 */
const NOT_GLOBAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4], // reserved, and 255.255.255.255
] as const) {
  NOT_GLOBAL.addSubnet(network, prefix, 'ipv4');
}
const GLOBAL_UNICAST_V6 = new BlockList();
GLOBAL_UNICAST_V6.addSubnet('2000::', 3, 'ipv6');
for (const [network, prefix] of [
  ['2001::', 23], // IETF protocol assignments (Teredo among them)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: an IPv4 address inside
  ['3fff::', 20], // documentation
] as const) {
  NOT_GLOBAL.addSubnet(network, prefix, 'ipv6');
}

function isPrivate(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return NOT_GLOBAL.check(mapped[1], 'ipv4');
  if (isIP(address) === 6) return !GLOBAL_UNICAST_V6.check(address, 'ipv6') || NOT_GLOBAL.check(address, 'ipv6');
  return NOT_GLOBAL.check(address, 'ipv4');
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

const resolveAll: Resolver = (host) => lookup(host, { all: true });

/** A destination as checked: why it is refused, or, in production, the address a delivery must connect to. */
export interface CheckedDestination {
  refused?: string;
  /** The checked address: a delivery connects to it, never to a second answer of the resolver (DNS rebinding). */
  pinned?: ResolvedAddress;
}

/**
 * In production: https only, and every address the host resolves to must be global; the first one
 * is pinned. Elsewhere, http and loopback are allowed so a developer can receive webhooks on their
 * own machine. Checked at registration and again before each delivery (DNS can change).
 */
export async function checkDestination(url: string, production: boolean, resolve: Resolver = resolveAll): Promise<CheckedDestination> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { refused: 'url must be an absolute URL' };
  }
  if (parsed.username || parsed.password) return { refused: 'url must not carry credentials' };
  if (!production) return ['http:', 'https:'].includes(parsed.protocol) ? {} : { refused: 'url must be http or https' };
  if (parsed.protocol !== 'https:') return { refused: 'url must be https' };
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host).catch(() => []);
  if (addresses.length === 0) return { refused: 'url host does not resolve' };
  if (addresses.some(({ address }) => isPrivate(address))) return { refused: 'url must not resolve to a loopback, private or link-local address' };
  return { pinned: addresses[0] };
}

/** Why a webhook URL may not be called, or undefined when it may. */
export async function refuseDestination(url: string, production: boolean, resolve?: Resolver): Promise<string | undefined> {
  return (await checkDestination(url, production, resolve)).refused;
}
