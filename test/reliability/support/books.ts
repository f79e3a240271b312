import { Client } from 'pg';

/** Runs SQL outside the service, to see what the database itself holds. */
export type Query = <R>(sql: string, params?: unknown[]) => Promise<R[]>;

/**
 * A query over a fresh connection each time: for a database that restarts during the test, where a
 * kept connection would be cut.
 */
export function queryOverFreshConnection(url: string): Query {
  return async <R>(sql: string, params?: unknown[]) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as R[];
    } finally {
      await client.end();
    }
  };
}

export type MovementKind = 'deposit' | 'order' | 'transfer' | 'payout';
export const MOVEMENT_KINDS: readonly MovementKind[] = ['deposit', 'order', 'transfer', 'payout'];
export const MOVEMENT_TABLE: Record<MovementKind, string> = {
  deposit: 'deposits',
  order: 'orders',
  transfer: 'transfers',
  payout: 'payouts',
};

/** Everything that money moving leaves behind, to compare before and after a request. */
export interface Books {
  /** Wallet id to balance (text: a balance may exceed what a double holds exactly). */
  balances: Record<string, string>;
  ledgerEntries: number;
  movements: Record<MovementKind, number>;
}

export async function readBooks(query: Query): Promise<Books> {
  const wallets = await query<{ id: string; balance: string }>(`SELECT id, balance::text AS balance FROM wallets ORDER BY id`);
  const [counts] = await query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM ledger_entries) AS ledger_entries,
            (SELECT count(*) FROM deposits) AS deposit, (SELECT count(*) FROM orders) AS "order",
            (SELECT count(*) FROM transfers) AS transfer, (SELECT count(*) FROM payouts) AS payout`,
  );
  return {
    balances: Object.fromEntries(wallets.map((wallet) => [wallet.id, wallet.balance])),
    ledgerEntries: Number(counts.ledger_entries),
    movements: Object.fromEntries(MOVEMENT_KINDS.map((kind) => [kind, Number(counts[kind])])) as Record<MovementKind, number>,
  };
}

/** The id of every row of every movement table. */
export async function recordedMovementIds(query: Query): Promise<Record<MovementKind, string[]>> {
  const ids = {} as Record<MovementKind, string[]>;
  for (const kind of MOVEMENT_KINDS) {
    ids[kind] = (await query<{ id: string }>(`SELECT id FROM ${MOVEMENT_TABLE[kind]}`)).map((row) => row.id);
  }
  return ids;
}

/** Waits until the settlement worker has settled every payout, or fails after timeoutMs. */
export async function waitForPayoutsToSettle(query: Query, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const [{ pending }] = await query<{ pending: string }>(`SELECT count(*) AS pending FROM payouts WHERE status = 'PENDING'`);
    if (pending === '0') return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`payouts still PENDING after ${timeoutMs} ms`);
}

export async function failedPayoutIds(query: Query): Promise<Set<string>> {
  return new Set((await query<{ id: string }>(`SELECT id FROM payouts WHERE status = 'FAILED'`)).map((row) => row.id));
}

/**
 * Idempotency records committed without their response. The design makes this impossible (the claim
 * and the response commit together); a crash that leaves one behind would block its key.
 */
export async function incompleteIdempotencyRecords(query: Query): Promise<number> {
  const [{ count }] = await query<{ count: string }>(`SELECT count(*) FROM idempotency_keys WHERE completed_at IS NULL OR response_status IS NULL`);
  return Number(count);
}
