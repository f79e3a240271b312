import PgBoss from 'pg-boss';
import { migrate } from '../../src/database/data-source';
import { databaseUrl, onServer, templateDatabase } from './database';

const STALE_AFTER_MS = 60 * 60 * 1000;

/**
 * Migrates a template database once per run; every test file clones it (CREATE DATABASE ... TEMPLATE).
 * Databases of runs older than an hour (interrupted runs) are dropped; running ones are left alone.
 */
export default async function globalSetup(): Promise<void> {
  process.env.LEDGERLINE_TEST_RUN = Date.now().toString(36);
  await onServer(async (server) => {
    const { rows } = await server.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname ~ '^ledgerline_(tpl|test)_[0-9a-z]+'`,
    );
    for (const { datname } of rows) {
      const runStartedAt = parseInt(datname.split('_')[2], 36);
      if (!(Date.now() - runStartedAt < STALE_AFTER_MS)) await server.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await server.query(`CREATE DATABASE ${templateDatabase()}`);
  });
  await migrate(databaseUrl(templateDatabase()));
  // pg-boss installs its schema on first start; done once here, every cloned database has it.
  const boss = new PgBoss({ connectionString: databaseUrl(templateDatabase()), max: 1, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
}
