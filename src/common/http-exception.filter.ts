import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, DeliberateFailure } from './errors';
import { PreparedResponse } from './prepared-response';
import { dialectOf, ErrorDescription, errorStatusIn } from './response-dialect';
import { setHeadersAsWritten } from './wire-headers';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own errors (raised before Nest sees the request) that are the client's fault. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_ERROR',
};

const logger = new Logger('Errors');

/** pg-pool's answer when no connection became free within connectionTimeoutMillis (DATABASE_POOL_WAIT_MS). */
function isPoolWaitTimeout(exception: unknown): boolean {
  return exception instanceof Error && /^timeout exceeded when trying to connect$/.test(exception.message);
}

/** What anything thrown means for the client. A 500 says nothing of its cause but the request id. */
export function describeError(exception: unknown, requestId: string): ErrorDescription & { headers: Record<string, string> } {
  if (exception instanceof ApiError) {
    const { status, code, message, details, headers } = exception;
    return { status, code, message, details, headers };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const message = status === HttpStatus.NOT_FOUND ? 'Route not found' : exception.message;
    return { status, code: CODE_BY_STATUS[status] ?? 'HTTP_ERROR', message, headers: {} };
  }
  const fastifyError = exception as { code?: string; statusCode?: number; message?: string };
  const fastifyCode = fastifyError?.code !== undefined ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (fastifyCode && fastifyError.statusCode) {
    return { status: fastifyError.statusCode, code: fastifyCode, message: fastifyError.message ?? fastifyCode, headers: {} };
  }
  if (isPoolWaitTimeout(exception)) {
    // Nothing ran: every connection stayed busy for the whole bound. Safe to retry, with any key.
    return { status: HttpStatus.SERVICE_UNAVAILABLE, code: 'SERVICE_UNAVAILABLE', message: 'The service is busy; retry shortly', headers: { 'Retry-After': '1' } };
  }
  if (exception instanceof DeliberateFailure) logger.log({ requestId, failure: exception.message }, 'Answered 500 on purpose');
  else logger.error({ err: exception, requestId }, 'Unhandled error');
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    code: 'INTERNAL_ERROR',
    message: 'An internal error occurred; quote the request id when reporting it',
    requestId,
    headers: {},
  };
}

/** Maps everything thrown to an error body in the route's dialect (the contract's envelope by default). */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (reply.sent) return;
    void reply.type('application/json; charset=utf-8');
    if (exception instanceof PreparedResponse) {
      setHeadersAsWritten(reply, exception.headers);
      void reply.status(exception.status).send(exception.body);
      return;
    }
    const { headers, ...error } = describeError(exception, request.id);
    setHeadersAsWritten(reply, headers);
    const dialect = dialectOf(request);
    void reply.status(errorStatusIn(dialect, error)).send(JSON.stringify(dialect.errorBody(error)));
  }
}
