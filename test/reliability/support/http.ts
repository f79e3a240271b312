export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path with its query string, e.g. `/v1/orders?client_order_id=abc`. */
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
}

/** Long enough for a held sandbox delay or a lock wait, short enough that a lost answer is noticed. */
const ANSWER_TIMEOUT_MS = 15_000;

/**
 * One HTTP exchange with a real server over a real socket. Rejects on a network error (refused,
 * reset, a socket closed mid-body) or when no whole answer arrives in time, as a client would see it.
 */
export async function send(baseUrl: string, request: HttpRequest, timeoutMs = ANSWER_TIMEOUT_MS): Promise<HttpReply> {
  const hasBody = request.body !== undefined;
  const response = await fetch(baseUrl + request.path, {
    method: request.method,
    headers: hasBody ? { 'content-type': 'application/json', ...request.headers } : request.headers,
    body: hasBody ? JSON.stringify(request.body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The parsed body of an answer whose shape the caller has already checked by its status. */
export function bodyOf<T>(reply: HttpReply): T {
  return JSON.parse(reply.text) as T;
}

/** For setup steps, which must simply work: a clear error instead of a confusing later failure. */
export function expectStatus(reply: HttpReply, status: number, what: string): HttpReply {
  if (reply.status !== status) throw new Error(`${what}: expected ${status}, got ${reply.status} ${reply.text}`);
  return reply;
}
