import type { PoolClient } from 'pg';
import { DataSource, MigrationExecutor } from 'typeorm';
import { migrations } from '../../migrations';
import { AdvisoryLock, withAdvisoryLock } from './advisory-lock';
import { Client } from '../clients/client.entity';
import { LedgerEntry } from '../ledger/ledger-entry.entity';
import { Order } from '../orders/order.entity';
import { Payout } from '../payouts/payout.entity';
import { Product } from '../products/product.entity';
import { Transfer } from '../transfers/transfer.entity';
import { Wallet } from '../wallets/wallet.entity';

/** Every entity, listed so the same list works from source (tests) and from dist. */
const entities = [Client, Wallet, LedgerEntry, Product, Order, Transfer, Payout];

/**
 * When a primary dies under load, a checked-out connection can get the server's farewell while nobody
 * listens for its 'error' event, and an unheard 'error' ends the process (test/ha saw it end on
 * "terminating connection due to unexpected postmaster exit"). This listener stays for the
 * connection's life; the query using it still fails, and the pool drops it once it is unqueryable.
 */
function hearConnectionErrors(connection: PoolClient): void {
  connection.on('error', () => undefined);
}

/** One definition of the connection, shared by the app, the migration runner and the ledger check. */
export function createDataSource(url: string, poolSize: number, poolWaitMs = 5000): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    poolSize,
    // No session-level state on connections (docs/idempotency.md, "Inside the call"): transaction-mode poolers work.
    // connectionTimeoutMillis bounds the wait for a free pooled connection (pg-pool), not only a new one's connect.
    extra: { application_name: 'ledgerline', connectionTimeoutMillis: poolWaitMs, onConnect: hearConnectionErrors },
  });
}

/**
 * Runs pending migrations on the lock holder's own connection, so a pool of one suffices. The
 * lock is a session's: `dataSource` must reach the database directly (DATABASE_DIRECT_URL).
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const holder = dataSource.createQueryRunner();
  try {
    return await withAdvisoryLock(holder, AdvisoryLock.migrations, async () => {
      const executor = new MigrationExecutor(dataSource, holder);
      executor.transaction = 'each';
      const applied = await executor.executePendingMigrations();
      return applied.map((migration) => migration.name);
    });
  } finally {
    await holder.release();
  }
}

/** Migrates through a connection of its own, then lets it go. */
export async function migrate(url: string): Promise<string[]> {
  const dataSource = await createDataSource(url, 1).initialize();
  try {
    return await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
