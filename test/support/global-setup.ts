import PgBoss from 'pg-boss';
import { migrate } from '../../src/database/data-source';
import { databaseUrl, onServer, templateDatabase } from './database';

const STALE_AFTER_MS = 60 * 60 * 1000;

/**
 * Migrates a template database once per run; every test file clones it (CREATE DATABASE ... TEMPLATE).
 * Databases of runs older than an hour (interrupted runs) are dropped, unless the run is still live:
 * some database of that run has a session (a long run's template has none between clones).
 */
export default async function globalSetup(): Promise<void> {
  process.env.LEDGERLINE_TEST_RUN = Date.now().toString(36);
  await onServer(async (server) => {
    const { rows } = await server.query<{ datname: string; connected: boolean }>(
      `SELECT datname, EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid) AS connected
         FROM pg_database d WHERE datname ~ '^ledgerline_(tpl|test)_[0-9a-z]+'`,
    );
    const runOf = (datname: string) => datname.split('_')[2];
    const liveRuns = new Set(rows.filter((row) => row.connected).map((row) => runOf(row.datname)));
    for (const { datname } of rows) {
      const runStartedAt = parseInt(runOf(datname), 36);
      if (Date.now() - runStartedAt < STALE_AFTER_MS || liveRuns.has(runOf(datname))) continue;
      // Without FORCE: a session that connected since the check above makes PostgreSQL refuse (55006), and the database stays.
      await server.query(`DROP DATABASE IF EXISTS ${datname}`).catch((error: { code?: string }) => {
        if (error.code !== '55006') throw error;
      });
    }
    await server.query(`CREATE DATABASE ${templateDatabase()}`);
  });
  await migrate(databaseUrl(templateDatabase()));
  // pg-boss installs its schema on first start; done once here, every cloned database has it.
  const boss = new PgBoss({ connectionString: databaseUrl(templateDatabase()), max: 1, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
}
