import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseJsonSafely } from 'secure-json-parse';
import { ApiError, ValidationFailedError } from './errors';

/** Largest accepted body; the API's bodies are small, so anything larger is refused with 413. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export class EncodedBodyError extends ApiError {
  constructor() {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request bodies must not be encoded (Content-Encoding): send plain JSON');
  }
}

export class MalformedJsonError extends ApiError {
  constructor(message = 'The request body is not valid JSON') {
    super(400, 'MALFORMED_JSON', message);
  }
}

/** Deeper JSON is refused before anything recurses into it (fingerprint, validation). */
const MAX_JSON_DEPTH = 32;

/** What makes a parsed value unacceptable: nesting past MAX_JSON_DEPTH, or NUL in a string or key. */
export function flaw(value: unknown, depth = 0): 'too deep' | 'NUL' | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? 'NUL' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_JSON_DEPTH) return 'too deep';
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return 'NUL';
    const found = flaw(item, depth + 1);
    if (found) return found;
  }
  return undefined;
}

const NUMBER = /-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?/y;

/**
 * Whether a JSON number literal means something its double does not: a fraction rounded to a whole
 * number (`4503599627370497.5`, `0.99999999999999999`, `1e-400`) or a whole number past 2^53 rounded
 * to another. A field wanting an integer would otherwise take a value the client never sent.
 */
function roundedByParsing(literal: string, whole: string, fraction = '', exponent = '0'): boolean {
  // A plain integer of up to 15 digits is always exact: the common case skips the arithmetic.
  if (fraction === '' && exponent === '0' && whole.length <= 15) return false;
  const value = Number(literal);
  if (!Number.isFinite(value)) return true; // 1e400 parses to Infinity
  if (!Number.isInteger(value)) return false; // a fraction stays one: the field's own validation refuses it
  const digits = whole + fraction;
  if (value === 0) return /[1-9]/.test(digits); // 1e-400 parses to 0
  // Where the decimal point falls in `digits` once the exponent has moved it; what follows must be zeros.
  const pointAt = whole.length + Number(exponent);
  if (pointAt <= 0 || /[1-9]/.test(digits.slice(pointAt))) return true;
  return BigInt(digits.slice(0, pointAt).padEnd(pointAt, '0')) !== BigInt(Math.abs(value));
}

/**
 * What `text` (valid JSON) says that JSON.parse would silently change: an object naming a key twice
 * (the last value wins: {"amount": 1, "amount": 7} is 7), or a number its double rounds; a payments
 * API must not guess. One pass over the text: a string followed by ':' is a key of the innermost open
 * object, and numbers are read outside strings.
 */
function silentChange(text: string): 'duplicate key' | 'rounded number' | undefined {
  const open: Array<Set<string> | null> = []; // a Set per object, null per array
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const [literal, whole, fraction, exponent] = NUMBER.exec(text)!;
      if (roundedByParsing(literal, whole, fraction, exponent)) return 'rounded number';
      i += literal.length - 1;
    } else if (c === '{') open.push(new Set());
    else if (c === '[') open.push(null);
    else if (c === '}' || c === ']') open.pop();
    else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      let next = end + 1;
      while (text[next] === ' ' || text[next] === '\t' || text[next] === '\n' || text[next] === '\r') next++;
      if (text[next] === ':') {
        // Decoded, so that "a" and "\u0061" are the same key.
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        const keys = open[open.length - 1]!;
        if (keys.has(key)) return 'duplicate key';
        keys.add(key);
      }
      i = end;
    }
  }
  return undefined;
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
      // A compressed body is not JSON, whatever its Content-Type says.
      const encoding = request.headers['content-encoding'];
      if (encoding !== undefined && encoding !== 'identity') return done(new EncodedBodyError());
      const text = body.toString();
      request.rawBody = text;
      if (text.trim() === '') return done(null, undefined);
      let parsed: unknown;
      try {
        parsed = parseJsonSafely(text, undefined, { protoAction: 'error', constructorAction: 'error' });
      } catch {
        return done(new MalformedJsonError());
      }
      const changed = silentChange(text);
      if (changed === 'duplicate key') return done(new MalformedJsonError('The request body names a key twice in one object'));
      if (changed === 'rounded number') {
        return done(new ValidationFailedError([{ field: 'body', errors: ['a number has more precision than a JSON number carries exactly (it would be rounded)'] }]));
      }
      const found = flaw(parsed);
      if (found === 'too deep') return done(new MalformedJsonError(`The request body nests deeper than ${MAX_JSON_DEPTH} levels`));
      // PostgreSQL text cannot hold NUL, and prepared answers mark database-decided values with it (operation.ts).
      if (found === 'NUL') return done(new ValidationFailedError([{ field: 'body', errors: ['strings must not contain NUL (\\u0000)'] }]));
      done(null, parsed);
    },
  );
}
