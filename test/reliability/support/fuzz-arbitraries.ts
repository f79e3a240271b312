import fc from 'fast-check';

/**
 * Generators for hostile requests. They stay within what can reach the server over a real socket
 * (a header value is tab, visible ASCII or obs-text bytes; no CR or LF), and otherwise aim at the
 * edges: absent, null, wrong type, just out of range, huge, SQL-looking, another tenant's id.
 */

/** Marks a field the generated object leaves out (distinct from null, which the API treats as a value). */
const ABSENT = Symbol('absent');

const headerCharacter = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
).map((code) => String.fromCharCode(code));

export const headerText = (maxLength = 40) => fc.string({ unit: headerCharacter, maxLength });

const visibleAscii = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), minLength, maxLength });

/** A few keys shared by many generated requests: a later one is a replay or a reuse with another body (422). */
const sharedKey = fc.constantFrom('fuzz-shared-key-1', 'fuzz-shared-key-2', 'fuzz-shared-key-3');

/** An idempotency key: mostly a good one, else every way the contract says a key can be wrong. */
export const idempotencyKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: sharedKey },
  { weight: 3, arbitrary: visibleAscii(8, 64) },
  { weight: 1, arbitrary: visibleAscii(8, 64).map((key) => `"${key.replace(/["\\]/g, '')}"`) },
  { weight: 1, arbitrary: visibleAscii(0, 7) },
  { weight: 1, arbitrary: visibleAscii(257, 300) },
  { weight: 1, arbitrary: headerText(300) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'key with spaces', 'ключ-ключ-ключ') },
);

const SQL = "1'; DROP TABLE wallets; --";

/** A value that no field of the API should accept, or only just accepts. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, 1.5, -0.5, 2 ** 53 - 1, 2 ** 53, 1e21, 1e308, '', '0', '100', '1e3', 'NaN', null, true, false, [], {}, SQL, 'a\u0000b', { 'k\u0000': 1 }),
  fc.uuid(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 300 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** One field of a request body: what a valid value looks like, and whether the field may be left out. */
export interface FieldSpec {
  valid: fc.Arbitrary<unknown>;
  optional?: boolean;
}

export type ObjectSpec = Record<string, FieldSpec>;

/** `arbitrary` about one time in `outOf`, else null. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, outOf: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: outOf - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
}

/** A body the DTO accepts: every required field valid, each optional one present or not. */
export function wellFormedObject(spec: ObjectSpec): fc.Arbitrary<Record<string, unknown>> {
  const model = Object.fromEntries(Object.entries(spec).map(([name, field]) => [name, field.valid]));
  const requiredKeys = Object.entries(spec)
    .filter(([, field]) => !field.optional)
    .map(([name]) => name);
  return fc.record(model, { requiredKeys });
}

const extraFieldName = fc.oneof(
  fc.constantFrom('id', 'balance', 'currency', 'client_id', 'status', 'fee', 'accessTag', 'amount '),
  fc.string({ minLength: 1, maxLength: 12 }),
);

/** A body built field by field: each valid, left out, or hostile; sometimes with a field the DTO does not know. */
export function fuzzedObject(spec: ObjectSpec): fc.Arbitrary<Record<string, unknown>> {
  const model = Object.fromEntries(
    Object.entries(spec).map(([name, field]) => [
      name,
      fc.oneof(
        { weight: field.optional ? 4 : 6, arbitrary: field.valid },
        { weight: field.optional ? 4 : 1, arbitrary: fc.constant(ABSENT) },
        { weight: 2, arbitrary: hostileValue },
      ),
    ]),
  );
  return fc
    .tuple(fc.record(model), sometimes(fc.dictionary(extraFieldName, hostileValue, { minKeys: 1, maxKeys: 2 }), 8))
    .map(([object, extra]) => {
      const present = Object.entries(object).filter(([, value]) => value !== ABSENT);
      return { ...Object.fromEntries(present), ...(extra ?? {}) };
    });
}

/** The object's first field named twice: JSON.parse would keep the second silently. */
function withDuplicateKey(body: Record<string, unknown>): string {
  const text = JSON.stringify(body);
  const [first] = Object.entries(body);
  return first === undefined ? '{"a":1,"a":2}' : `{${JSON.stringify(first[0])}:${JSON.stringify(first[1])},${text.slice(1)}`;
}

/**
 * The raw body: usually the object as JSON (sometimes carrying the key as accessTag), else any JSON,
 * broken JSON, JSON nested up to 6000 deep, a key named twice, or none.
 */
export function fuzzedBody(object: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    {
      weight: 16,
      arbitrary: fc
        .tuple(object, sometimes(fc.oneof(idempotencyKey, hostileValue), 8))
        .map(([body, accessTag]) => JSON.stringify(accessTag === null ? body : { ...body, accessTag })),
    },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"amount": 1,}', '{"__proto__": {"admin": true}}', 'null', '') },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 6000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) },
    { weight: 1, arbitrary: object.map(withDuplicateKey) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** A query string: usually none, else the client_order_id carrier (once or twice), or arbitrary parameters. */
export const fuzzedQuery: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: idempotencyKey.map((key) => `?client_order_id=${encodeURIComponent(key)}`) },
  { weight: 1, arbitrary: fc.tuple(fc.uuid(), fc.uuid()).map(([a, b]) => `?client_order_id=${a}&client_order_id=${b}`) },
  { weight: 1, arbitrary: fc.webQueryParameters().map((query) => `?${query}`) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }).map((params) => `?${new URLSearchParams(params)}`),
  },
);

/**
 * X-Sandbox-Fault: absent, a short delay, or a malformed value. Never `drop-response` or
 * `fail-before-commit`, however padded (header values are trimmed): those lose the answer or
 * answer 500 on purpose.
 */
export const sandboxFault: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 20 }).map((ms) => `delay=${ms}`) },
  { weight: 1, arbitrary: fc.constantFrom('delay=', 'delay=-1', 'delay=30001', 'delay=99999999', 'DROP-RESPONSE', 'drop_response', 'fail') },
  { weight: 1, arbitrary: headerText().filter((value) => !['drop-response', 'fail-before-commit'].includes(value.trim())) },
);

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 16, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: headerText() },
);

/** A few headers the API does not use, to show they change nothing. */
export const strayHeaders: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.stringMatching(/^x-[a-z][a-z0-9-]{0,15}$/).filter((name) => !['x-api-key', 'x-api-secret', 'x-sandbox-fault', 'x-request-id'].includes(name)),
  headerText(),
  { maxKeys: 2 },
);

export interface FuzzedRequest {
  /** Path and query string. */
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** How to build requests to one endpoint: each part as a client who follows the API sends it, and fuzzed. */
export interface RequestSpec {
  path: { valid: fc.Arbitrary<string>; fuzzed: fc.Arbitrary<string> };
  auth: { valid: fc.Arbitrary<Record<string, string>>; fuzzed: fc.Arbitrary<Record<string, string>> };
  body: ObjectSpec;
  /** Bodies whose fields also agree with each other (currencies, products), so that successes are common. */
  consistentBody?: fc.Arbitrary<Record<string, unknown>>;
}

/**
 * Requests to one endpoint: two in five well formed (so that successes, replays and domain refusals
 * are exercised too), the rest fuzzed in every part at once.
 */
export function fuzzedRequest(spec: RequestSpec): fc.Arbitrary<FuzzedRequest> {
  return fc.oneof({ weight: 2, arbitrary: wellFormedRequest(spec) }, { weight: 3, arbitrary: hostileRequest(spec) });
}

/** Valid in form; the key travels in one carrier, chosen at random; the values may still be refused by the domain. */
function wellFormedRequest(spec: RequestSpec): fc.Arbitrary<FuzzedRequest> {
  return fc
    .record({
      path: spec.path.valid,
      auth: spec.auth.valid,
      key: fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: sharedKey }),
      carrier: fc.constantFrom('header', 'header', 'header', 'query', 'body'),
      delay: sometimes(fc.integer({ min: 0, max: 10 }), 8),
      stray: strayHeaders,
      body: spec.consistentBody ? fc.oneof(spec.consistentBody, wellFormedObject(spec.body)) : wellFormedObject(spec.body),
    })
    .map(({ path, auth, key, carrier, delay, stray, body }) => ({
      url: carrier === 'query' ? `${path}?client_order_id=${key}` : path,
      headers: {
        ...stray,
        ...auth,
        'content-type': 'application/json',
        ...(carrier === 'header' ? { 'idempotency-key': key } : {}),
        ...(delay === null ? {} : { 'x-sandbox-fault': `delay=${delay}` }),
      },
      body: JSON.stringify(carrier === 'body' ? { ...body, accessTag: key } : body),
    }));
}

function hostileRequest(spec: RequestSpec): fc.Arbitrary<FuzzedRequest> {
  return fc
    .record({
      path: fc.oneof({ weight: 4, arbitrary: spec.path.valid }, { weight: 1, arbitrary: spec.path.fuzzed }),
      query: fuzzedQuery,
      auth: fc.oneof({ weight: 4, arbitrary: spec.auth.valid }, { weight: 1, arbitrary: spec.auth.fuzzed }),
      key: fc.option(idempotencyKey, { freq: 10 }),
      fault: sandboxFault,
      type: contentType,
      // Now and then a Content-Encoding (415, unless identity).
      encoding: fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity') }),
      stray: strayHeaders,
      body: fuzzedBody(fuzzedObject(spec.body)),
    })
    .map(({ path, query, auth, key, fault, type, encoding, stray, body }) => ({
      url: path + query,
      headers: {
        ...stray,
        ...auth,
        ...(key === null ? {} : { 'idempotency-key': key }),
        ...(fault === undefined ? {} : { 'x-sandbox-fault': fault }),
        ...(type === undefined ? {} : { 'content-type': type }),
        ...(encoding === null ? {} : { 'content-encoding': encoding }),
      },
      body,
    }));
}
