/** The body of every error answer: `{"error": {code, message, details}}`. */
export interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown; request_id?: string };
}

export interface LedgerlineErrorFields {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  requestId?: string;
  retryable: boolean;
  retryAfterMs?: number;
  idempotencyKey?: string;
  cause?: unknown;
}

/**
 * The final answer of a call that did not succeed, after any retries.
 *
 * `code` is the contract's stable code (`INSUFFICIENT_FUNDS`, `VALIDATION_ERROR`...): switch on it,
 * not on `message`. `retryable` tells whether the SDK's retry policy would have tried again; it is
 * true only when the outcome may still change (no answer, 5xx, 409).
 */
export class LedgerlineError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Quote it when reporting a problem (from `X-Request-Id`). */
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  /** The server's `Retry-After`, when it sent one (409, 429). */
  readonly retryAfterMs: number | undefined;
  /**
   * The key a money-moving call ran under. When `retryable` is true the outcome is unknown: call
   * again later with this same key (never a new one) to learn it without moving money twice.
   */
  readonly idempotencyKey: string | undefined;

  constructor(fields: LedgerlineErrorFields) {
    super(fields.message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = new.target.name;
    this.status = fields.status;
    this.code = fields.code;
    this.details = fields.details;
    this.requestId = fields.requestId;
    this.retryable = fields.retryable;
    this.retryAfterMs = fields.retryAfterMs;
    this.idempotencyKey = fields.idempotencyKey;
  }
}

/**
 * No HTTP answer at all: the connection failed, was dropped, or the attempt timed out. `status` is 0
 * and `code` is `NETWORK_ERROR`; the request may or may not have taken effect.
 */
export class LedgerlineNetworkError extends LedgerlineError {
  constructor(cause: unknown, idempotencyKey: string | undefined) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super({ status: 0, code: 'NETWORK_ERROR', message: `No answer from Ledgerline: ${reason}`, retryable: true, idempotencyKey, cause });
  }
}
