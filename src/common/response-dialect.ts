import { SetMetadata } from '@nestjs/common';
import { errorEnvelope } from './error-envelope';

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
 * mechanisms and change only the bytes: the error body, and for CatFee the body of a duplicate.
 */
export interface ResponseDialect {
  errorBody(error: ErrorDescription): unknown;
  /** The answer to a replayed success, made from the recorded one; absent: the recorded bytes as they are. */
  replayedSuccessBody?(recordedBody: string): string;
}

export const standardDialect: ResponseDialect = {
  errorBody: ({ code, message, details, requestId }) => {
    const envelope = errorEnvelope(code, message, details);
    if (requestId) envelope.error.request_id = requestId;
    return envelope;
  },
};

export const RESPONSE_DIALECT = 'ledgerline:response-dialect';
/** Pairs with `@UseFilters(new HttpExceptionFilter(dialect))` so recorded and unrecorded errors agree. */
export const UseResponseDialect = (dialect: ResponseDialect) => SetMetadata(RESPONSE_DIALECT, dialect);
