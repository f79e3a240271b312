import { SetMetadata } from '@nestjs/common';

/** The methods that write, and so take idempotency keys alike (PUT and PATCH like POST). */
export const isWrite = (method: string) => method === 'POST' || method === 'PUT' || method === 'PATCH';

export const REQUIRES_IDEMPOTENCY_KEY = 'ledgerline:requires-idempotency-key';
export const IDEMPOTENCY_SCOPE = 'ledgerline:idempotency-scope';

/** Marks a money-moving POST: without a key it answers 400 IDEMPOTENCY_KEY_REQUIRED. */
export const RequiresIdempotencyKey = () => SetMetadata(REQUIRES_IDEMPOTENCY_KEY, true);

/**
 * Puts a route in another route's key scope (its "endpoint family"): the dialect routes share the
 * scope of the main route they adapt, so one key names one operation whichever dialect sent it.
 */
export const IdempotencyScope = (endpoint: string) => SetMetadata(IDEMPOTENCY_SCOPE, endpoint);
