import { DataSource, QueryRunner } from 'typeorm';

/** Keys of the session advisory locks that serialise boot-time DDL when several instances start at once. */
export const AdvisoryLock = {
  migrations: 7_263_001,
  jobQueues: 7_263_002,
} as const;

/**
 * Runs `work` while holding a PostgreSQL session advisory lock on a connection of its own; the
 * connection is passed to `work` for statements that must run on it. Other instances wait their turn.
 */
export async function withAdvisoryLock<T>(dataSource: DataSource, key: number, work: (holder: QueryRunner) => Promise<T>): Promise<T> {
  const holder = dataSource.createQueryRunner();
  try {
    await holder.query('SELECT pg_advisory_lock($1)', [key]);
    return await work(holder);
  } finally {
    await holder.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    await holder.release();
  }
}
