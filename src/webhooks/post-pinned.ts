import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { ResolvedAddress } from './destination-policy';

/**
 * POSTs `body` and answers the status code. With `pinned`, the connection goes to that address
 * whatever the resolver would say now, while the Host header, TLS SNI and the certificate check
 * still use the URL's host name. Redirects are not followed (a 3xx is a status like any other).
 */
export function postPinned(url: string, headers: Record<string, string>, body: string, pinned: ResolvedAddress | undefined, timeoutMs: number): Promise<number> {
  const target = new URL(url);
  const lookup: LookupFunction | undefined = pinned
    ? (_host, options, callback) => (options.all ? callback(null, [pinned]) : callback(null, pinned.address, pinned.family))
    : undefined;
  return new Promise((resolve, reject) => {
    const request = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup,
      // A connection of its own: a pooled one may lead to an address checked for another delivery.
      agent: false,
      timeout: timeoutMs,
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
