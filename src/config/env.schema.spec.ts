import { AppConfig } from './app-config';
import { validateEnv } from './env.schema';

describe('validateEnv', () => {
  it('fills in the documented defaults', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({ NODE_ENV: 'development', PORT: 3000, IDEMPOTENCY_TTL_SECONDS: 86400, IDEMPOTENCY_LOCK_WAIT_MS: 5000 });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('converts numeric settings and rejects bad ones with a clear message', () => {
    expect(validateEnv({ PORT: '8080' }).PORT).toBe(8080);
    expect(() => validateEnv({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(/PORT[\s\S]*LOG_LEVEL/);
    expect(() => validateEnv({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must be a postgres/);
    expect(() => validateEnv({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL must be a redis/);
    expect(() => validateEnv({ REDIS_KEY_PREFIX: 'a b' })).toThrow(/REDIS_KEY_PREFIX/);
  });

  it('refuses production without a database URL, an admin token and a credentials key', () => {
    expect(() => validateEnv({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL is required[\s\S]*ADMIN_TOKEN is required[\s\S]*CREDENTIALS_KEY is required/);
    expect(() =>
      validateEnv({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://db/x',
        ADMIN_TOKEN: 'a-long-enough-admin-token',
        CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64'),
      }),
    ).not.toThrow();
  });

  it('refuses worker processes around an embedded database, which belongs to one process', () => {
    expect(() => validateEnv({ WEB_CONCURRENCY: '2' })).toThrow(/WEB_CONCURRENCY above 1 needs DATABASE_URL/);
    expect(validateEnv({ WEB_CONCURRENCY: '2', DATABASE_URL: 'postgres://db/x' }).WEB_CONCURRENCY).toBe(2);
    expect(() => validateEnv({ WEB_CONCURRENCY: '0' })).toThrow(/WEB_CONCURRENCY/);
  });

  it('refuses a webhook log TTL that could delete an event between two attempts of its delivery', () => {
    expect(validateEnv({}).WEBHOOK_LOG_TTL_SECONDS).toBe(2_592_000);
    // The whole retry schedule is at most the first delay × 2^17, and a day more: 2 × 131,072 + 86,400 s by default.
    expect(() => validateEnv({ WEBHOOK_LOG_TTL_SECONDS: '348544' })).toThrow(/WEBHOOK_LOG_TTL_SECONDS must exceed .* 348544 s/);
    expect(validateEnv({ WEBHOOK_LOG_TTL_SECONDS: '348545' }).WEBHOOK_LOG_TTL_SECONDS).toBe(348_545);
    expect(() => validateEnv({ WEBHOOK_RETRY_DELAY_SECONDS: '20' })).toThrow(/2707840 s/);
  });

  it('turns the console and its request log on everywhere but production, unless told otherwise', () => {
    const config = (env: Record<string, string>) => new AppConfig(validateEnv(env));
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', ADMIN_TOKEN: 'a-long-enough-admin-token', CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64') };
    expect([config({}).consoleEnabled, config({}).requestLogEnabled, config({}).sandboxEnabled]).toEqual([true, true, true]);
    expect([config(production).consoleEnabled, config(production).requestLogEnabled, config(production).sandboxEnabled]).toEqual([false, false, false]);
    const productionConsole = config({ ...production, CONSOLE_ENABLED: 'true' });
    expect([productionConsole.consoleEnabled, productionConsole.requestLogEnabled, productionConsole.sandboxEnabled]).toEqual([true, true, false]);
    expect(config({ REQUEST_LOG_ENABLED: 'false' }).requestLogEnabled).toBe(false);
    expect(validateEnv({}).REQUEST_LOG_TTL_SECONDS).toBe(604800);
    expect(() => validateEnv({ CONSOLE_ENABLED: 'yes' })).toThrow(/CONSOLE_ENABLED must be true or false/);
  });
});
