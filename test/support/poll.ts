/** Polls `condition` every 50 ms until it holds; fails after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (await condition()) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error('condition not met in time');
}

/**
 * Whether a sandbox `delay` holds a transaction open after `fn`'s call ran in it (its locks taken),
 * not merely after its BEGIN.
 */
export async function callHeldOpen(db: { query(sql: string, params?: unknown[]): Promise<unknown[]> }, fn: string): Promise<boolean> {
  const held = await db.query(
    `SELECT 1 FROM pg_stat_activity WHERE state = 'idle in transaction' AND datname = current_database() AND query LIKE $1`,
    [`%${fn}(%`],
  );
  return held.length > 0;
}

/** Polls the database's own clock, which decides expiry, until no idempotency record (under `key`, if given) is live. */
export async function untilExpired(db: { query(sql: string, params?: unknown[]): Promise<unknown[]> }, key?: string): Promise<void> {
  await until(async () => (await db.query('SELECT 1 FROM idempotency_keys WHERE ($1::text IS NULL OR key = $1) AND expires_at > now()', [key ?? null])).length === 0);
}
