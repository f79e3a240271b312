import { existsSync } from 'node:fs';

/**
 * Loads `./.env` into the environment, first thing in each entry point (the service, the migration
 * runner, the ledger check); a variable already set wins. Never under tests, whose settings a
 * developer's `.env` must not change.
 */
export function loadDotEnv(): void {
  if (process.env.NODE_ENV !== 'test' && existsSync('.env')) process.loadEnvFile('.env');
}
