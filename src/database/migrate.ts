import 'reflect-metadata';
import { loadDotEnv } from '../config/dotenv';
import { migrate } from './data-source';

/** `npm run migration:run`: applies pending migrations to DATABASE_DIRECT_URL or DATABASE_URL (the app also does this on start). */
async function main(): Promise<void> {
  loadDotEnv();
  const url = process.env.DATABASE_DIRECT_URL || process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required (the embedded database migrates itself on `npm start`)');
  const applied = await migrate(url);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
