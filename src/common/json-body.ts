import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseJsonSafely } from 'secure-json-parse';
import { ApiError } from './errors';

/** Largest accepted body; the API's bodies are small, so anything larger is refused with 413. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export class MalformedJsonError extends ApiError {
  constructor() {
    super(400, 'MALFORMED_JSON', 'The request body is not valid JSON');
  }
}

/**
 * JSON is the only body the API accepts (anything else: 415). The raw text is kept on the request;
 * an empty body parses to `undefined` (CatFee-style clients send `Content-Type: application/json`
 * with no body), and `__proto__`/`constructor` keys are refused rather than merged.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES },
    (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void) => {
      const text = body.toString();
      request.rawBody = text;
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, parseJsonSafely(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
      } catch {
        done(new MalformedJsonError());
      }
    },
  );
}
