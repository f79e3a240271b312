import { applyDecorators, Type } from '@nestjs/common';
import {
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
  getSchemaPath,
  SecurityRequirementObject,
} from '@nestjs/swagger';
import { ErrorResponse } from './error.response';

/**
 * The document's sections, each described at the top of the document (openapi.ts). A controller names
 * its section with ApiTag; a new section is a line here.
 */
export const API_TAGS = {
  wallets: 'Wallets, their balances and ledger entries, and sandbox funding',
  products: 'The seeded catalogue: gift cards (DENOMINATION) and per-unit items (UNIT)',
  orders: 'Orders: the wallet is debited at once, exactly once per key',
  transfers: 'Wallet-to-wallet transfers in one currency',
  payouts: 'Payouts: debited at once, settled by a worker, refunded once if the rail rejects them',
  idempotency: 'Your idempotency records: what a key did, on which endpoint',
  webhooks: 'Webhook endpoints and their signed deliveries (Standard Webhooks 1.0)',
  admin: 'The operator’s API (Authorization: Bearer ADMIN_TOKEN): clients, credits, the ledger check',
  health: 'Liveness and readiness, without credentials',
  console: 'The sandbox console’s API: your request log and the fault rules armed for your next requests (not in production)',
  'dialect: Starship': 'Starship Rewards’ routes, verbatim: amounts in major units, the wallet implicit',
  'dialect: CatFee': 'CatFee’s energy API, verbatim: everything in the query string, CF-ACCESS-* signatures, CatFee’s envelope',
} as const;

export type ApiTagName = keyof typeof API_TAGS;

/** Puts a controller's operations in one of the document's sections (API_TAGS). */
export const ApiTag = (name: ApiTagName) => ApiTags(name);

export interface EndpointDoc {
  /** One line, shown beside the route. */
  summary: string;
  /** What the route does and what a client should know before calling it. */
  description: string;
  /** Instead of the document's default (X-API-Key + X-API-Secret): `[]` for none. Admin controllers say ApiBearerAuth('admin'). */
  security?: SecurityRequirementObject[];
}

/** Every operation's documentation: a summary and a description, both required. */
export const ApiEndpoint = ({ summary, description, security }: EndpointDoc) =>
  ApiOperation({ summary, description, ...(security === undefined ? {} : { security }) });

/** A resource id in the path (`:id`), a UUID as every id. */
export const ApiIdParam = (resource: string) =>
  ApiParam({ name: 'id', description: `The ${resource}’s id`, schema: { type: 'string', format: 'uuid', example: '01936d2e-7c4a-7b5e-9f3a-2c1d4e5f6a7b' } });

const RETRY_SHORTLY = 'IDEMPOTENCY_KEY_IN_USE (a duplicate still in flight) or RESOURCE_BUSY (a wallet row stayed locked); retry after Retry-After with the same key';

const ERROR_MEANINGS: Record<number, string> = {
  400: 'VALIDATION_ERROR, MALFORMED_JSON, or IDEMPOTENCY_KEY_REQUIRED / _TOO_SHORT / _TOO_LONG / _INVALID / _AMBIGUOUS',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN: a write under a console session that does not come from the console’s own origin (CSRF)',
  404: 'NOT_FOUND (also for another client’s resource; on /v1/admin/*, the admin API is off: no ADMIN_TOKEN)',
  409: RETRY_SHORTLY,
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'A recorded business outcome (INSUFFICIENT_FUNDS, CURRENCY_MISMATCH, BALANCE_LIMIT_EXCEEDED) or IDEMPOTENCY_KEY_REUSED',
  429: 'RATE_LIMITED: past the client’s request budget, too many failed authentications from this address, or (sandbox) more than 2 faulted requests in flight; retry after Retry-After',
  500: 'INTERNAL_ERROR, with a request_id; nothing was recorded, retry with the same key',
  503: 'SERVICE_UNAVAILABLE: no database connection became free in time; nothing ran, retry after Retry-After',
};

/** The answers that say when to retry. */
const RETRY_AFTER_STATUSES = new Set([409, 429, 503]);
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };

/** What every authenticated route can answer, whatever it does: wrong credentials, a throttle, a failure, no free database connection. */
const ANY_AUTHENTICATED_ROUTE = [401, 429, 500, 503];

function errorResponses(body: Type<unknown>, statuses: number[], meanings: Record<number, string>) {
  return applyDecorators(
    ...[...new Set([...statuses, ...ANY_AUTHENTICATED_ROUTE])]
      .sort((a, b) => a - b)
      .map((status) => ApiResponse({ status, description: meanings[status], type: body, ...(RETRY_AFTER_STATUSES.has(status) ? { headers: RETRY_AFTER } : {}) })),
  );
}

/** Error answers of an authenticated operation in a dialect's error body (the seed dialects: docs/dialects.md). */
export const ApiErrorsAs = (body: Type<unknown>, ...statuses: number[]) => errorResponses(body, statuses, ERROR_MEANINGS);

/** Error answers of an authenticated operation (`statuses`, and those of ANY_AUTHENTICATED_ROUTE), all in the envelope. */
export const ApiErrors = (...statuses: number[]) => ApiErrorsAs(ErrorResponse, ...statuses);

/**
 * One example key for every carrier: a tool that fills in every example (Swagger UI, Dredd) sends the
 * same key twice, which is one key, where two different examples would be 400 IDEMPOTENCY_KEY_AMBIGUOUS.
 */
export const IDEMPOTENCY_KEY_EXAMPLE = 'ord_abc123_1705689660';

/** Treezor's carrier: the key as a body attribute, beside the resource's own fields. */
class AccessTagCarrier {
  @ApiPropertyOptional({
    description: 'Treezor-style idempotency key carrier, instead of the Idempotency-Key header (1–250 visible ASCII characters); not part of the resource',
    minLength: 1,
    maxLength: 250,
    pattern: '^[\\x21-\\x7e]+$',
    example: IDEMPOTENCY_KEY_EXAMPLE,
  })
  accessTag?: string;
}

const IDEMPOTENCY_RESPONSE_HEADERS = {
  'Idempotency-Key': { description: 'Echo of the key', schema: { type: 'string' } },
  'Idempotency-Replayed': { description: '`true` when this is the recorded answer to an earlier attempt', schema: { type: 'string', enum: ['true', 'false'] } },
  'Idempotency-Created-At': { description: 'When the original request was processed (ISO-8601)', schema: { type: 'string', format: 'date-time' } },
};

export interface IdempotentPostDoc {
  /** The request's body DTO, documented with the accessTag carrier beside its fields; null: the route takes no body. */
  body: Type<unknown> | null;
  /** A money-moving route: without a key, 400 IDEMPOTENCY_KEY_REQUIRED. */
  required: boolean;
  status?: number;
  /** The route's error body, when its dialect has its own (default: the envelope). */
  errors?: Type<unknown>;
  /** The status of "retry shortly with the same key" in the route's dialect (default 409; Starship's clients retry only 5xx). */
  retryShortlyStatus?: number;
}

/**
 * An idempotent POST, PUT or PATCH: every key carrier (the Idempotency-Key header, the accessTag body
 * attribute), the sandbox faults, the answer with the idempotency headers, and the error answers.
 */
export const ApiIdempotentPost = (type: Type<unknown>, { body, required, status = 201, errors = ErrorResponse, retryShortlyStatus = 409 }: IdempotentPostDoc) =>
  applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required,
      description: `${required ? 'Required' : 'Optional'}: 8–256 visible ASCII characters, one per logical operation, reused on every retry. May instead come as the accessTag body attribute (or, on POST /v1/orders, the client_order_id query parameter); two carriers with different values are 400 IDEMPOTENCY_KEY_AMBIGUOUS.`,
      example: IDEMPOTENCY_KEY_EXAMPLE,
    }),
    ApiHeader({
      name: 'X-Sandbox-Fault',
      required: false,
      description: 'Sandbox only: `drop-response` (commit, then close the connection), `fail-before-commit` (roll back, 500), `delay=MS` (hold the transaction open, ≤ 30000).',
      schema: { type: 'string', pattern: '^(drop-response|fail-before-commit|delay=[0-9]{1,5})$' },
      example: 'delay=2000',
    }),
    ...(body === null ? [] : [ApiExtraModels(body, AccessTagCarrier), ApiBody({ schema: { allOf: [{ $ref: getSchemaPath(body) }, { $ref: getSchemaPath(AccessTagCarrier) }] } })]),
    ApiResponse({ status, type, description: 'Done, or the recorded answer to an earlier attempt with this key', headers: IDEMPOTENCY_RESPONSE_HEADERS }),
    errorResponses(
      errors,
      [400, 403, 404, retryShortlyStatus, 413, 415, 422],
      retryShortlyStatus === 409 ? ERROR_MEANINGS : { ...ERROR_MEANINGS, [retryShortlyStatus]: `${ERROR_MEANINGS[retryShortlyStatus]}; or ${RETRY_SHORTLY}` },
    ),
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
    ApiErrors(400),
  );
