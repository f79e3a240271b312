import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Addresses a production webhook may never reach: the operator's own network (no SSRF). */
const PRIVATE_NETWORKS = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
] as const) {
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv6');
}

function isPrivate(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE_NETWORKS.check(mapped[1], 'ipv4');
  return PRIVATE_NETWORKS.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Why a webhook URL may not be called, or undefined when it may. In production: https only, and
 * every address the host resolves to must be public. Elsewhere, http and loopback are allowed so a
 * developer can receive webhooks on their own machine. Checked at registration and again before
 * each delivery (DNS can change).
 */
export async function refuseDestination(url: string, production: boolean): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'url must be an absolute URL';
  }
  if (parsed.username || parsed.password) return 'url must not carry credentials';
  if (!production) return ['http:', 'https:'].includes(parsed.protocol) ? undefined : 'url must be http or https';
  if (parsed.protocol !== 'https:') return 'url must be https';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await lookup(host, { all: true }).then((found) => found.map((a) => a.address), () => []);
  if (addresses.length === 0) return 'url host does not resolve';
  if (addresses.some(isPrivate)) return 'url must not resolve to a loopback, private or link-local address';
  return undefined;
}
