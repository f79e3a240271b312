import 'reflect-metadata';
import { loadDotEnv } from '../config/dotenv';
import { createDataSource } from '../database/data-source';
import { embeddedDatabaseUrl } from '../database/embedded-postgres';
import { validateEnv } from '../config/env.schema';
import { checkLedger } from './ledger-check';

/**
 * `npm run ledger:check`: checks DATABASE_URL, or the embedded database of a running `npm start`.
 * Exits 1 when the books do not balance.
 */
async function main(): Promise<void> {
  loadDotEnv();
  const env = validateEnv(process.env);
  const url = env.DATABASE_URL ?? embeddedDatabaseUrl(env.EMBEDDED_PG_PORT);
  const dataSource = await createDataSource(url, 1).initialize();
  try {
    const report = await checkLedger(dataSource);
    console.log(JSON.stringify(report, null, 2));
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
