import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../common/errors';

/** Errors of the idempotency layer itself: decided before the handler runs, never recorded. */
export class IdempotencyKeyError extends ApiError {
  constructor(status: number, code: string, message: string, key?: string, headers: Record<string, string> = {}) {
    super(status, code, message, undefined, key === undefined ? headers : { 'Idempotency-Key': key, ...headers });
  }
}

export const keyRequired = () =>
  new IdempotencyKeyError(
    HttpStatus.BAD_REQUEST,
    'IDEMPOTENCY_KEY_REQUIRED',
    'This request moves money: send an Idempotency-Key header (or client_order_id, or accessTag)',
  );

export const keyAmbiguous = () =>
  new IdempotencyKeyError(
    HttpStatus.BAD_REQUEST,
    'IDEMPOTENCY_KEY_AMBIGUOUS',
    'Idempotency-Key, client_order_id and accessTag carry different values; send one key',
  );

export const keyTooShort = (carrier: string, min: number) =>
  new IdempotencyKeyError(HttpStatus.BAD_REQUEST, 'IDEMPOTENCY_KEY_TOO_SHORT', `${carrier} must be at least ${min} characters`);

export const keyTooLong = (carrier: string, max: number) =>
  new IdempotencyKeyError(HttpStatus.BAD_REQUEST, 'IDEMPOTENCY_KEY_TOO_LONG', `${carrier} must be at most ${max} characters`);

export const keyInvalid = (carrier: string) =>
  new IdempotencyKeyError(
    HttpStatus.BAD_REQUEST,
    'IDEMPOTENCY_KEY_INVALID',
    `${carrier} must be a string of visible ASCII characters (0x21-0x7E)`,
  );

export const keyReused = (key: string) =>
  new IdempotencyKeyError(
    HttpStatus.UNPROCESSABLE_ENTITY,
    'IDEMPOTENCY_KEY_REUSED',
    'This key was already used with a different request; use a new key for a new operation',
    key,
  );

export const keyInUse = (key: string) =>
  new IdempotencyKeyError(
    HttpStatus.CONFLICT,
    'IDEMPOTENCY_KEY_IN_USE',
    'A request with this key is still in progress; retry shortly',
    key,
    { 'Retry-After': '1' },
  );
