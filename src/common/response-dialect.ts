import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { ErrorEnvelope, errorEnvelope } from './error-envelope';

export interface ErrorDescription {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  /** Set on 500s only: the one thing a client can quote. */
  requestId?: string;
}

/**
 * How a family of routes shapes its answers. The seed dialects (docs/dialects.md) keep Ledgerline's
 * mechanisms and change only what the guide's clients read: the error body (for Starship, the status of
 * a "retry shortly"), and for CatFee the body of a duplicate.
 */
export interface ResponseDialect {
  errorBody(error: ErrorDescription): unknown;
  /** The status an error is answered with; absent: the contract's. */
  errorStatus?(error: ErrorDescription): number;
  /** The answer to a replayed success, made from the recorded one; absent: the recorded bytes as they are. */
  replayedSuccessBody?(recordedBody: string): string;
}

/** The contract's envelope, with the request id of a 500. */
export function envelopeOf({ code, message, details, requestId }: ErrorDescription): ErrorEnvelope {
  const envelope = errorEnvelope(code, message, details);
  if (requestId) envelope.error.request_id = requestId;
  return envelope;
}

export const standardDialect: ResponseDialect = { errorBody: envelopeOf };

/** The status `error` is answered with in `dialect`: the dialect's, where it has its own. */
export function errorStatusIn(dialect: ResponseDialect, error: ErrorDescription): number {
  return dialect.errorStatus?.(error) ?? error.status;
}

/**
 * Declares a route's dialect in its Fastify route config, so that every answer of the route uses it:
 * recorded ones, the filter's, and the errors Fastify raises before Nest sees the request (a
 * malformed body, a wrong content type). A method decorator: Fastify's config is per route.
 */
export const UseResponseDialect = (dialect: ResponseDialect) => RouteConfig({ responseDialect: dialect });

/** The dialect of the route a request matched; the contract's envelope for anything else. */
export function dialectOf(request: FastifyRequest | undefined): ResponseDialect {
  return (request?.routeOptions?.config as { responseDialect?: ResponseDialect } | undefined)?.responseDialect ?? standardDialect;
}
