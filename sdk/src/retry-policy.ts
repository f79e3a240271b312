/**
 * When and how long to wait before trying a call again: exponential backoff with full jitter, raised to
 * the server's `Retry-After` (sdk/README.md, "Retry policy").
 *
 * Only calls that cannot repeat an effect are retried: reads, and POSTs that carry an idempotency
 * key (the same key on every attempt). They are retried on the answers whose outcome may still
 * change: no answer (network error, dropped connection, timeout), 5xx, and 409
 * (`IDEMPOTENCY_KEY_IN_USE`, `RESOURCE_BUSY`). Any other 4xx is final.
 */
export interface RetryOptions {
  /** Attempts per call, the first one included. Default 6. */
  maxAttempts?: number;
  /** Bound on a call's total time, waits and attempts included; an attempt still running then is aborted. Default 30000. */
  maxElapsedMs?: number;
  /** Backoff ceiling of the first retry; it doubles on each later one. Default 200. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 5000. */
  maxDelayMs?: number;
  /**
   * One attempt is aborted (and counts as a network error) after this long. Default 15000: above the
   * server's default wait for a duplicate in flight (IDEMPOTENCY_LOCK_WAIT_MS, 5000).
   */
  attemptTimeoutMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  maxElapsedMs: 30_000,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  attemptTimeoutMs: 15_000,
};

export function resolveRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`retry.${name} must be a finite number >= 0, got ${value}`);
  }
  if (policy.maxAttempts < 1) throw new RangeError('retry.maxAttempts must be at least 1');
  return policy;
}

/** Whether an HTTP answer may still change on a retry with the same key. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 409;
}

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(maxDelay, base × 2^retry)), so
 * many clients failing together do not retry in lockstep. A server's `Retry-After` is a floor.
 *
 * @param retry 0 for the wait before the second attempt, 1 before the third...
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number, retryAfterMs = 0): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.max(random() * ceiling, retryAfterMs);
}

/** `Retry-After` in milliseconds: delay-seconds, or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
