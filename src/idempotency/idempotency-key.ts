import { keyAmbiguous, keyInvalid, keyTooLong, keyTooShort } from './idempotency.errors';

/** Where a key can come from; all three share one key space (docs/idempotency.md, "The key"). */
export interface KeyCarriers {
  /** `Idempotency-Key` header (IETF draft, Stripe, Starship, ORZCash). */
  header?: string | string[];
  /** `client_order_id` query parameter (CatFee). */
  query?: unknown;
  /** `accessTag` body attribute (Treezor). */
  body?: unknown;
}

const VISIBLE_ASCII = /^[\x21-\x7e]*$/;

interface CarrierRule {
  name: string;
  min: number;
  max: number;
}

const HEADER: CarrierRule = { name: 'Idempotency-Key', min: 8, max: 256 };
const QUERY: CarrierRule = { name: 'client_order_id', min: 1, max: 250 };
const BODY: CarrierRule = { name: 'accessTag', min: 1, max: 250 };

/** A structured-field string (`"abc"`, RFC 8941) is unquoted; a bare token is taken as is. */
function unquoteHeader(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  return value;
}

function validated(value: unknown, rule: CarrierRule): string {
  if (typeof value !== 'string' || !VISIBLE_ASCII.test(value)) throw keyInvalid(rule.name);
  if (value.length < rule.min) throw keyTooShort(rule.name, rule.min);
  if (value.length > rule.max) throw keyTooLong(rule.name, rule.max);
  return value;
}

/**
 * The request's idempotency key, or undefined when no carrier holds one.
 * Throws the contract's 400s for a malformed key or for carriers that disagree.
 */
export function readIdempotencyKey(carriers: KeyCarriers): string | undefined {
  const keys: string[] = [];
  if (carriers.header !== undefined) {
    // A repeated header arrives as an array: that is not one key.
    if (Array.isArray(carriers.header)) throw keyInvalid(HEADER.name);
    keys.push(validated(unquoteHeader(carriers.header.trim()), HEADER));
  }
  if (carriers.query !== undefined) keys.push(validated(carriers.query, QUERY));
  if (carriers.body !== undefined) keys.push(validated(carriers.body, BODY));
  if (new Set(keys).size > 1) throw keyAmbiguous();
  return keys[0];
}
