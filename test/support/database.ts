import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server tests run against: the machine's PostgreSQL unless TEST_DATABASE_URL says otherwise. */
export const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/**
 * One id per `jest` run (set by global-setup.ts, inherited by the workers), so that two runs on one
 * server never touch each other's databases. It is a base-36 timestamp, so stale runs can be told.
 */
export const runId = () => process.env.LEDGERLINE_TEST_RUN ?? 'adhoc';
export const templateDatabase = () => `ledgerline_tpl_${runId()}`;

export function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `name` through TEST_POOLER_URL (a transaction-mode PgBouncer, see test/pgbouncer/), or undefined when unset. */
export function poolerUrl(name: string): string | undefined {
  if (!process.env.TEST_POOLER_URL) return undefined;
  const url = new URL(process.env.TEST_POOLER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function onServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Runs SQL against this test's database, outside the app (to inspect or to break things). */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

/** A fresh database for one test file, cloned from the migrated template (see global-setup.ts). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `ledgerline_test_${runId()}_${randomBytes(6).toString('hex')}`;
  await onServer((server) => server.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`));
  const url = databaseUrl(name);
  const client = new Client({ connectionString: url });
  await client.connect();
  return {
    name,
    url,
    query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
    drop: async () => {
      await client.end();
      await onServer((server) => server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
