import { onServer, runId } from './database';

/** Drops this run's template and any database a crashed test file left behind. */
export default async function globalTeardown(): Promise<void> {
  await onServer(async (server) => {
    const { rows } = await server.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`, [
      `ledgerline\\_tpl\\_${runId()}`,
      `ledgerline\\_test\\_${runId()}\\_%`,
    ]);
    for (const { datname } of rows) await server.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  });
}
