import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth: key order and whitespace do not change it. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface FingerprintedRequest {
  method: string;
  routeTemplate: string;
  params: unknown;
  /** Query parameters, without the `client_order_id` carrier. */
  query: unknown;
  /** Parsed body, without the `accessTag` carrier. */
  body: unknown;
}

/** SHA-256 of what makes two requests "the same": switching key carriers on a retry is not a change. */
export function fingerprint(request: FingerprintedRequest): Buffer {
  const canonical = canonicalJson([request.method, request.routeTemplate, request.params ?? {}, request.query ?? {}, request.body ?? null]);
  return createHash('sha256').update(canonical, 'utf8').digest();
}
