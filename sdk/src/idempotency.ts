import { randomUUID } from 'node:crypto';
import { Transport } from './transport';

export interface IdempotencyOptions {
  /**
   * The key of this logical operation: 8–256 visible ASCII characters, e.g. your own payment
   * reference. Default: a random UUID, made once before the first attempt. Calling again with the
   * same key (and the same request) never moves money twice: it returns the recorded outcome.
   */
  idempotencyKey?: string;
}

/** What a write (a POST or PATCH) that ran under an idempotency key returns. */
export interface IdempotentResult<T> {
  /** The resource, as the API sent it. */
  data: T;
  /** The key the operation ran under, on every attempt. */
  idempotencyKey: string;
  /** True when the answer is the server's record of an earlier execution (`Idempotency-Replayed`), e.g. after a lost answer. */
  replayed: boolean;
  /** HTTP attempts this call made, the first one included. */
  attempts: number;
}

/** Where a write's key travels: a header, or a query parameter such as `client_order_id`. */
export interface KeyCarrier {
  key: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/** The key is fixed here, before the first attempt, so every retry of the operation carries it. */
export function keyInHeader(options: IdempotencyOptions): KeyCarrier {
  const key = options.idempotencyKey ?? randomUUID();
  return { key, headers: { 'idempotency-key': key } };
}

/** A write under its key: every attempt carries the one key, so retrying it is safe. */
export async function sendKeyed<T>(
  transport: Transport,
  method: 'POST' | 'PATCH',
  path: string,
  body: object,
  carrier: KeyCarrier,
): Promise<IdempotentResult<T>> {
  const { data, headers, attempts } = await transport.send<T>({
    method,
    path,
    body,
    headers: carrier.headers,
    query: carrier.query,
    retry: true,
    idempotencyKey: carrier.key,
  });
  return { data, idempotencyKey: carrier.key, replayed: headers.get('idempotency-replayed') === 'true', attempts };
}
