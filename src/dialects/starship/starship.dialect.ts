import { envelopeOf, ErrorDescription, ResponseDialect } from '../../common/response-dialect';

/** The guide's "Missing Idempotency Key (400)" body. */
const KEY_REQUIRED = {
  message: 'Idempotency-Key header is required for this operation',
  details: 'Include a unique Idempotency-Key header (8-256 characters)',
};

/** The guide's "Key Reused with Different Body (422)" body, whole: its `message` is already top-level. */
const KEY_REUSED = {
  error: 'IdempotencyKeyReused',
  code: 'E_IDEMPOTENCY_KEY_REUSED',
  message: 'Idempotency-Key has already been used with a different request body',
};

/**
 * "Retry shortly, with the same key": a duplicate still in flight, a wallet row that stayed locked. The
 * guide's clients retry 5xx and give up on any 4xx, so a 409 would leave them believing an order failed
 * that its first request is still completing: on these routes they are 503, with the same Retry-After.
 */
const RETRY_SHORTLY = new Set(['IDEMPOTENCY_KEY_IN_USE', 'RESOURCE_BUSY']);
export const STARSHIP_RETRY_SHORTLY_STATUS = 503;

/**
 * The Starship Rewards guide's error bodies, field for field, with a top-level `message` beside the
 * envelope: the guide's OrderClient reads `$result['message']`. The guide's short-key body is the
 * envelope Ledgerline already writes; errors the guide does not show keep the envelope too.
 */
export const starshipDialect: ResponseDialect = {
  errorBody: (error: ErrorDescription) => {
    switch (error.code) {
      case 'IDEMPOTENCY_KEY_REQUIRED':
        return { error: { code: error.code, ...KEY_REQUIRED }, message: KEY_REQUIRED.message };
      case 'IDEMPOTENCY_KEY_REUSED':
        return KEY_REUSED;
      default:
        return { ...envelopeOf(error), message: error.message };
    }
  },
  errorStatus: (error: ErrorDescription) => (RETRY_SHORTLY.has(error.code) ? STARSHIP_RETRY_SHORTLY_STATUS : error.status),
};
