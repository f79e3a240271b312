import 'reflect-metadata';
import { createDataSource, runMigrations } from './data-source';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL (the app also does this on start). */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required (the embedded database migrates itself on `npm start`)');
  const dataSource = await createDataSource(url, 1).initialize();
  const applied = await runMigrations(dataSource);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply');
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
