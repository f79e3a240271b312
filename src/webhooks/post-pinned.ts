import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { LRUCache } from 'lru-cache';
import { WORK_BATCH_SIZE } from '../jobs/job-queue';
import { ResolvedAddress } from './destination-policy';

/** Destinations whose kept-alive connections are kept; the least recently used is closed past it. */
const MAX_DESTINATIONS = 256;
/**
 * Idle connections kept per destination: as many as one batch opens, since its deliveries are never
 * queued behind each other (a slow receiver costs a batch one timeout, not several). Fewer, and each
 * batch to a busy receiver reconnected for most of its deliveries.
 */
const IDLE_SOCKETS_PER_DESTINATION = WORK_BATCH_SIZE;
/** An idle connection is closed after this long: below Node's default keep-alive timeout (5 s), so we close first. */
const IDLE_SOCKET_MS = 4_000;

/**
 * POSTs webhook deliveries over kept-alive connections. With `pinned`, the connection goes to that
 * address whatever the resolver would say now, while the Host header, TLS SNI and the certificate
 * check still use the URL's host name. Connections are pooled per origin and pinned address, so a
 * pooled connection only ever serves the address that was checked for it. Redirects are not
 * followed (a 3xx is a status like any other).
 */
export class PinnedPoster {
  private readonly agents = new LRUCache<string, http.Agent>({
    max: MAX_DESTINATIONS,
    dispose: (agent) => agent.destroy(),
  });

  constructor(private readonly idleSocketMs = IDLE_SOCKET_MS) {}

  /**
   * Answers the status code, or fails once `timeoutMs` has passed since the request began: the whole
   * exchange is bounded, not only each silence (the socket's timeout). A receiver that trickles its
   * answer a byte at a time would otherwise hold its batch, every tenant's deliveries in it, forever.
   */
  post(url: string, headers: Record<string, string>, body: string, pinned: ResolvedAddress | undefined, timeoutMs: number): Promise<number> {
    const target = new URL(url);
    const lookup: LookupFunction | undefined = pinned
      ? (_host, options, callback) => (options.all ? callback(null, [pinned]) : callback(null, pinned.address, pinned.family))
      : undefined;
    return new Promise((resolve, reject) => {
      const request = (target.protocol === 'https:' ? https : http).request(target, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
        agent: this.agentFor(target, pinned),
        timeout: timeoutMs,
      });
      // Never later than the socket's own timeout (a silence that long), so that one needs no listener.
      const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      request.on('response', (response) => {
        resolve(response.statusCode ?? 0);
        // The status stands; a body still trickling at the deadline is cut off with its connection.
        response.on('error', () => undefined);
        response.on('close', () => clearTimeout(deadline));
        response.resume();
      });
      request.on('error', (error) => {
        clearTimeout(deadline);
        reject(error);
      });
      request.end(body);
    });
  }

  /** Closes every kept-alive connection. */
  close(): void {
    this.agents.clear();
  }

  private agentFor(target: URL, pinned: ResolvedAddress | undefined): http.Agent {
    const key = `${target.origin} ${pinned?.address ?? ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      // An idle socket's timeout destroys it (http.Agent); a delivery's own timeout replaces it while in use.
      const options = { keepAlive: true, maxFreeSockets: IDLE_SOCKETS_PER_DESTINATION, timeout: this.idleSocketMs };
      agent = target.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
      this.agents.set(key, agent);
    }
    return agent;
  }
}
