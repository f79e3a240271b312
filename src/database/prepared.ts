import type { Pool, PoolClient } from 'pg';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

export interface PreparedResult<R> {
  rows: R[];
  rowCount: number;
}

/**
 * Runs a hot-path statement as a named prepared statement on the transaction's own connection: it
 * is parsed and planned once per connection instead of on every call (PERFORMANCE.md: re-planning
 * cost a third of an order's throughput). Outside a transaction it runs unnamed through TypeORM.
 * Errors are TypeORM's QueryFailedError either way. A name must always go with the same text.
 */
export async function queryPrepared<R>(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<PreparedResult<R>> {
  const runner = manager.queryRunner as PostgresQueryRunner | undefined;
  if (!runner) {
    const rows: R[] = await manager.query(text, values);
    return { rows, rowCount: rows.length };
  }
  return namedQuery<R>((await runner.connect()) as PoolClient, name, text, values);
}

/**
 * Runs one statement by itself, outside any transaction (PostgreSQL commits it on its own), as a
 * named prepared statement on whichever pooled connection is free: the one-round-trip shape of a
 * first-time request (docs/idempotency.md, "One statement").
 */
export function queryPreparedAlone<R>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<PreparedResult<R>> {
  return namedQuery<R>((dataSource.driver as PostgresDriver).master as Pool, name, text, values);
}

/** A named statement on a connection (or on the pool's next free one), failing as TypeORM's QueryFailedError. */
async function namedQuery<R>(queryable: Pool | PoolClient, name: string, text: string, values: unknown[]): Promise<PreparedResult<R>> {
  try {
    const result = await queryable.query<R & Record<string, unknown>>({ name, text, values });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}
