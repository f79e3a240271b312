/**
 * Keys of the session advisory locks that serialise boot-time DDL when several instances start at
 * once. 7_263_003 is taken by requeue_stranded_payouts (a transaction lock, in SQL).
 */
export const AdvisoryLock = {
  migrations: 7_263_001,
  jobQueues: 7_263_002,
} as const;

/** One database session: a connection of its own, never a transaction-mode pooler's (the lock is the session's). */
export interface Session {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** Runs `work` while `session` holds a PostgreSQL session advisory lock; other instances wait their turn. */
export async function withAdvisoryLock<T>(session: Session, key: number, work: () => Promise<T>): Promise<T> {
  await session.query('SELECT pg_advisory_lock($1)', [key]);
  try {
    return await work();
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
  }
}
