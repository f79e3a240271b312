import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorResponse } from './error.response';

const ERROR_MEANINGS: Record<number, string> = {
  400: 'VALIDATION_ERROR, MALFORMED_JSON, or IDEMPOTENCY_KEY_REQUIRED / _TOO_SHORT / _TOO_LONG / _INVALID / _AMBIGUOUS',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND (also for another client’s resource)',
  409: 'IDEMPOTENCY_KEY_IN_USE (a duplicate still in flight) or RESOURCE_BUSY (a wallet row stayed locked); retry after Retry-After with the same key',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'A recorded business outcome (INSUFFICIENT_FUNDS, CURRENCY_MISMATCH, BALANCE_LIMIT_EXCEEDED) or IDEMPOTENCY_KEY_REUSED',
  500: 'INTERNAL_ERROR, with a request_id; nothing was recorded, retry with the same key',
};

/** Error answers of an operation, all in the envelope. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(...statuses.map((status) => ApiResponse({ status, description: ERROR_MEANINGS[status], type: ErrorResponse })));

const IDEMPOTENCY_RESPONSE_HEADERS = {
  'Idempotency-Key': { description: 'Echo of the key', schema: { type: 'string' } },
  'Idempotency-Replayed': { description: '`true` when this is the recorded answer to an earlier attempt', schema: { type: 'string', enum: ['true', 'false'] } },
  'Idempotency-Created-At': { description: 'When the original request was processed (ISO-8601)', schema: { type: 'string', format: 'date-time' } },
};

/**
 * An idempotent POST: the key carriers, the sandbox faults, the created resource with the
 * idempotency headers, and the error answers. `required`: a money-moving route.
 */
export const ApiIdempotentPost = (type: Type<unknown>, { required, status = 201 }: { required: boolean; status?: number }) =>
  applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required,
      description: `${required ? 'Required' : 'Optional'}: 8–256 visible ASCII characters, one per logical operation, reused on every retry. May instead come as the client_order_id query parameter or the accessTag body attribute (1–250 characters).`,
      example: 'ord_abc123_1705689660',
    }),
    ApiHeader({
      name: 'X-Sandbox-Fault',
      required: false,
      description: 'Sandbox only: `drop-response` (commit, then close the connection), `fail-before-commit` (roll back, 500), `delay=MS` (hold the transaction open, ≤ 30000).',
      example: 'delay=2000',
    }),
    ApiResponse({ status, type, description: 'Done, or the recorded answer to an earlier attempt with this key', headers: IDEMPOTENCY_RESPONSE_HEADERS }),
    ApiErrors(400, 401, 404, 409, 413, 415, 422, 500),
  );

/** A cursor-paginated list: `{data: [...], next_cursor}`. */
export const ApiPage = (type: Type<unknown>) =>
  applyDecorators(
    ApiExtraModels(type),
    ApiOkResponse({
      schema: {
        type: 'object',
        required: ['data', 'next_cursor'],
        properties: {
          data: { type: 'array', items: { $ref: getSchemaPath(type) } },
          next_cursor: { type: 'string', nullable: true, description: 'Pass as ?cursor= for the next page; null on the last' },
        },
      },
    }),
    ApiErrors(400, 401),
  );
