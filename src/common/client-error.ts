import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorEnvelope } from './error-envelope';

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (headers over 16 KB, a
 * malformed request line) in the contract's envelope with an X-Request-Id, instead of Fastify's own
 * JSON. No route is known yet, so no dialect applies.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    tooLarge
      ? errorEnvelope('HEADERS_TOO_LARGE', 'The request headers are larger than 16 KB')
      : errorEnvelope('MALFORMED_REQUEST', 'The request is not valid HTTP'),
  );
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Answers what Fastify's router refuses before any route runs (a malformed percent-escape in the
 * path, a parameter past maxParamLength) in the contract's envelope with an X-Request-Id, instead of
 * Fastify's own JSON. The route is not known, so no dialect applies.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const message = error.code === 'FST_ERR_BAD_URL' ? 'The URL has a malformed percent-escape' : 'The URL is not valid';
  void reply
    .code(error.statusCode ?? 400)
    .header('X-Request-Id', request.id)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(errorEnvelope('VALIDATION_ERROR', message)));
}
