import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { TestApp } from './test-app';

/**
 * Counts the statements one app instance sends to PostgreSQL while `work` runs, at the app's own
 * pool: every connection checked out in the window has its `query` wrapped, and unwrapped after.
 * The job queue's pool (pg-boss polling) and other instances are not counted.
 */
export async function recordStatements(t: TestApp, work: () => Promise<unknown>): Promise<string[]> {
  const pool = (t.app.get(DataSource).driver as PostgresDriver).master as Pool;
  const sent: string[] = [];
  const restore: Array<() => void> = [];
  const watched = new WeakSet<PoolClient>();
  const watch = (client: PoolClient) => {
    // A connection checked out twice in the window is wrapped once.
    if (watched.has(client)) return;
    watched.add(client);
    const original = client.query;
    client.query = function (this: PoolClient, ...args: unknown[]) {
      const [first] = args;
      const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
      sent.push(text.replace(/\s+/g, ' ').trim());
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as PoolClient['query'];
    restore.push(() => (client.query = original));
  };
  pool.on('acquire', watch);
  try {
    await work();
  } finally {
    pool.off('acquire', watch);
    for (const undo of restore) undo();
  }
  return sent;
}
