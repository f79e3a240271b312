import { HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  errors: string[];
}

/** A failure raised on purpose (a sandbox fault): answered as any 500, and logged as what it is, not as a defect. */
export class DeliberateFailure extends Error {}

/**
 * An error the API promises: a stable `code`, an HTTP status, a human message.
 * The global filter turns it into the envelope `{"error": {code, message, details}}`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A business outcome decided by a handler (not enough money, unknown wallet...).
 * Idempotent requests record it and replay it; the request's writes are rolled back.
 */
export class DomainError extends ApiError {}

export class NotFoundError extends DomainError {
  constructor(resource: string) {
    super(HttpStatus.NOT_FOUND, 'NOT_FOUND', `${resource} not found`);
  }
}

export class InsufficientFundsError extends DomainError {
  constructor() {
    super(HttpStatus.UNPROCESSABLE_ENTITY, 'INSUFFICIENT_FUNDS', 'The wallet balance is too low for this amount');
  }
}

export class BalanceLimitExceededError extends DomainError {
  constructor() {
    super(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'BALANCE_LIMIT_EXCEEDED',
      'The wallet balance would exceed 9007199254740991 minor units',
    );
  }
}

/** The request itself is malformed: decided before any business logic, never recorded. */
export class ValidationFailedError extends ApiError {
  constructor(details: FieldError[], message = 'The request is not valid') {
    super(HttpStatus.BAD_REQUEST, 'VALIDATION_ERROR', message, details);
  }
}

export class UnauthenticatedError extends ApiError {
  constructor(message = 'Missing or invalid API credentials') {
    super(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', message);
  }
}

/** 429 RATE_LIMITED: nothing ran; retry after `retryAfterSeconds` (a client's budget, failed logins, sandbox faults). */
export class RateLimitedError extends ApiError {
  constructor(message: string, retryAfterSeconds: number, headers: Record<string, string> = {}) {
    super(HttpStatus.TOO_MANY_REQUESTS, 'RATE_LIMITED', message, undefined, { 'Retry-After': String(retryAfterSeconds), ...headers });
  }
}

/** A valid signature that already signed another request: a signature authenticates one request (and its retries). */
export class SignatureReusedError extends UnauthenticatedError {
  constructor() {
    super('This signature was already used for another request; sign each request anew');
  }
}

/** A row lock could not be taken within IDEMPOTENCY_LOCK_WAIT_MS; safe to retry with the same key. */
export class ResourceBusyError extends ApiError {
  constructor(idempotencyKey?: string) {
    super(HttpStatus.CONFLICT, 'RESOURCE_BUSY', 'The resource is busy with another request; retry shortly', undefined, {
      'Retry-After': '1',
      ...(idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey }),
    });
  }
}

/**
 * The wallet holds another currency than the operation needs. It never names the wallet's own
 * currency: the answer is prepared before the database is asked, and a wallet's currency is its
 * owner's business.
 */
export class CurrencyMismatchError extends DomainError {
  constructor(message: string) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, 'CURRENCY_MISMATCH', message);
  }
}

/** Input the DTO cannot judge alone (it depends on the product): decided by the handler, so recorded. */
export class BusinessValidationError extends DomainError {
  constructor(field: string, error: string) {
    super(HttpStatus.BAD_REQUEST, 'VALIDATION_ERROR', 'The request is not valid', [{ field, errors: [error] }]);
  }
}

/** 403: a request the credentials cannot make, such as a cross-site write under a console session. */
export class ForbiddenError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.FORBIDDEN, 'FORBIDDEN', message);
  }
}
