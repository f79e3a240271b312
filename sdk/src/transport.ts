import { setTimeout as delay } from 'node:timers/promises';
import { ErrorEnvelope, LedgerlineError, LedgerlineNetworkError } from './errors';
import { backoffDelay, isRetryableStatus, parseRetryAfter, resolveRetryPolicy, RetryOptions, RetryPolicy } from './retry-policy';

/** The part of `fetch` the SDK uses; Node's global fetch fits, and so does any wrapper around it. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ConnectionOptions {
  /** Where the API lives, e.g. `http://localhost:3000`; a path prefix is kept. */
  baseUrl: string;
  /** Default: Node's global fetch. Wrap it to observe or alter every attempt (logging, tests). */
  fetch?: FetchLike;
  retry?: RetryOptions;
  /** How the SDK waits between attempts (a test hook; default: a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1) (a test hook; default: Math.random). */
  random?: () => number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** True only when repeating the request cannot repeat an effect: a read, a delete, or a POST or PATCH under an idempotency key. */
  retry: boolean;
  /** The key the request carries, kept on errors so the caller can resume the operation. */
  idempotencyKey?: string;
}

export interface HttpResult<T> {
  data: T;
  headers: Headers;
  attempts: number;
}

interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** One value as one path segment (`/` and `?` inside it included), never a way to another route. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** Sends requests with the client's credentials and applies the retry policy. */
export class Transport {
  private readonly baseUrl: string;
  private readonly fetch: FetchLike;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    options: ConnectionOptions,
    private readonly credentials: Record<string, string>,
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Through a closure: the global fetch must not be called as a method of this object.
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.policy = resolveRetryPolicy(options.retry);
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.random = options.random ?? Math.random;
  }

  async send<T>(request: HttpRequest): Promise<HttpResult<T>> {
    const deadline = Date.now() + this.policy.maxElapsedMs;
    for (let attempt = 1; ; attempt++) {
      let error: LedgerlineError;
      try {
        const answer = await this.attempt(request, Math.min(this.policy.attemptTimeoutMs, deadline - Date.now()));
        if (answer.status < 300) return { data: parseSuccess<T>(answer, request.idempotencyKey), headers: answer.headers, attempts: attempt };
        error = errorFromAnswer(answer, request.idempotencyKey);
      } catch (thrown) {
        if (!(thrown instanceof LedgerlineNetworkError)) throw thrown;
        error = thrown;
      }
      if (!request.retry || !error.retryable || attempt >= this.policy.maxAttempts) throw error;
      const wait = backoffDelay(this.policy, attempt - 1, this.random, error.retryAfterMs);
      // A wait that would end past the budget cannot be followed by a useful attempt.
      if (Date.now() + wait >= deadline) throw error;
      await this.sleep(wait);
    }
  }

  /** One HTTP exchange; anything short of a complete answer is a network error. */
  private async attempt(request: HttpRequest, timeoutMs: number): Promise<HttpAnswer> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.credentials, ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await this.fetch(this.url(request), {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        // A redirect is answered, never followed: fetch would send the credentials headers to wherever it points.
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs))),
      });
      // The body is part of the answer: a connection lost while reading it is no answer at all.
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (cause) {
      throw new LedgerlineNetworkError(cause, request.idempotencyKey);
    }
  }

  private url(request: HttpRequest): string {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) query.set(name, String(value));
    }
    const search = query.toString();
    return `${this.baseUrl}${request.path}${search ? `?${search}` : ''}`;
  }
}

function parseSuccess<T>(answer: HttpAnswer, idempotencyKey: string | undefined): T {
  // 204 No Content (a delete) has no body to parse.
  if (answer.status === 204) return undefined as T;
  try {
    return JSON.parse(answer.text) as T;
  } catch (cause) {
    throw new LedgerlineError({
      status: answer.status,
      code: 'INVALID_RESPONSE',
      message: `Ledgerline answered ${answer.status} with a body that is not JSON`,
      requestId: answer.headers.get('x-request-id') ?? undefined,
      retryable: false,
      idempotencyKey,
      cause,
    });
  }
}

function errorFromAnswer(answer: HttpAnswer, idempotencyKey: string | undefined): LedgerlineError {
  const envelope = parseEnvelope(answer.text);
  return new LedgerlineError({
    status: answer.status,
    // An answer outside the envelope comes from something in front of the service (a proxy).
    code: envelope?.code ?? 'HTTP_ERROR',
    message: envelope?.message ?? unexpectedAnswer(answer),
    details: envelope?.details,
    requestId: answer.headers.get('x-request-id') ?? envelope?.request_id,
    retryable: isRetryableStatus(answer.status),
    retryAfterMs: parseRetryAfter(answer.headers.get('retry-after')),
    idempotencyKey,
  });
}

function unexpectedAnswer(answer: HttpAnswer): string {
  const location = answer.status >= 300 && answer.status < 400 ? answer.headers.get('location') : null;
  return location === null ? `Ledgerline answered ${answer.status}` : `Ledgerline answered ${answer.status}, a redirect to ${location}, which is not followed: set baseUrl to where the API is`;
}

function parseEnvelope(text: string): ErrorEnvelope['error'] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const error = (parsed as Partial<ErrorEnvelope> | null)?.error;
    return typeof error?.code === 'string' && typeof error.message === 'string' ? error : starshipKeyReused(parsed);
  } catch {
    return undefined;
  }
}

/**
 * The cart's routes speak the Starship dialect, whose reused key (422) is the guide's flat body,
 * `{"error": "IdempotencyKeyReused", "code": "E_IDEMPOTENCY_KEY_REUSED", "message": ...}`: read as
 * the contract's IDEMPOTENCY_KEY_REUSED. Every other Starship error is the envelope.
 */
function starshipKeyReused(parsed: unknown): ErrorEnvelope['error'] | undefined {
  const body = parsed as { code?: unknown; message?: unknown } | null;
  return body?.code === 'E_IDEMPOTENCY_KEY_REUSED' && typeof body.message === 'string' ? { code: 'IDEMPOTENCY_KEY_REUSED', message: body.message } : undefined;
}
