import { plainToInstance, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

/** Every setting Ledgerline reads, with its default. `.env.example` documents each one. */
export class Env {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  /** Listen address: 0.0.0.0 (every interface), 127.0.0.1 behind a local proxy, :: for IPv6. */
  @IsString()
  HOST = '0.0.0.0';

  /**
   * The proxies in front (comma-separated addresses, CIDR ranges, or loopback / uniquelocal /
   * linklocal) whose X-Forwarded-For names the client: its address is what the failed-authentication
   * throttle counts. Unset: the connection's own address.
   */
  @IsOptional() @Matches(/^[A-Za-z0-9.:/]+(,\s*[A-Za-z0-9.:/]+)*$/, { message: 'TRUST_PROXY must be comma-separated addresses, CIDR ranges or loopback/uniquelocal/linklocal' })
  TRUST_PROXY?: string;

  @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /**
   * What needs a session of its own (migrations under advisory locks, the job queue's workers):
   * set it to the database itself when DATABASE_URL points at a transaction-mode pooler (PgBouncer).
   */
  @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_DIRECT_URL must be a postgres:// URL' })
  DATABASE_DIRECT_URL?: string;

  /**
   * Per process. Small on purpose: requests hold a connection for one statement or one short
   * transaction, and more backends than cores only contend (bench/HISTORY.md: on 2 cores, 8 served
   * 27 % more first-time orders than 32). Raise it for long sandbox `delay` faults or many cores.
   */
  @Type(() => Number) @IsInt() @Min(1) @Max(500)
  DATABASE_POOL_SIZE = 8;

  /** Longest wait for a free pooled connection; past it a request answers 503 with Retry-After. */
  @Type(() => Number) @IsInt() @Min(1) @Max(60000)
  DATABASE_POOL_WAIT_MS = 5000;

  /** Worker processes sharing the port (node:cluster); 1 is a single process. One per core uses the machine. */
  @Type(() => Number) @IsInt() @Min(1) @Max(64)
  WEB_CONCURRENCY = 1;

  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  @IsString()
  EMBEDDED_PG_DIR = './.data/pg';

  @IsOptional() @IsString() @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters' })
  ADMIN_TOKEN?: string;

  /**
   * 32 bytes, base64: seals the copy of each API secret that signed requests (CatFee) are checked
   * with. Required in production; elsewhere a fixed development key is used.
   */
  @IsOptional() @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'CREDENTIALS_KEY must be 32 bytes in base64 (openssl rand -base64 32)' })
  CREDENTIALS_KEY?: string;

  @Type(() => Number) @IsInt() @Min(1)
  IDEMPOTENCY_TTL_SECONDS = 86400;

  @Type(() => Number) @IsInt() @Min(1) @Max(60000)
  IDEMPOTENCY_LOCK_WAIT_MS = 5000;

  @Type(() => Number) @IsInt() @Min(1) @Max(86400)
  IDEMPOTENCY_SWEEP_INTERVAL_SECONDS = 60;

  /** Memory for replayed records, served to further replays without a database read; 0 turns it off. */
  @Type(() => Number) @IsInt() @Min(0) @Max(4096)
  IDEMPOTENCY_REPLAY_CACHE_MB = 32;

  @Type(() => Number) @IsInt() @Min(0)
  PAYOUT_SETTLE_DELAY_MS = 1000;

  /** How often PENDING payouts left without a live settlement job (a failover's loss) get a new one. */
  @Type(() => Number) @IsInt() @Min(1) @Max(86400)
  PAYOUT_RECONCILE_INTERVAL_SECONDS = 30;

  @Type(() => Number) @IsInt() @Min(1)
  RATE_LIMIT_PER_MINUTE = 6000;

  /**
   * Redis that counts the rate limits and the failed-authentication throttle for every instance at
   * once; unset, each process counts its own. While it is unreachable, each process counts its own.
   */
  @IsOptional() @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Prefix of every key written to Redis, so that deployments can share one Redis. */
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'REDIS_KEY_PREFIX must be 1-64 letters, digits or _ . : -' })
  REDIS_KEY_PREFIX = 'ledgerline';

  /** First wait before a failed webhook delivery is retried; each retry doubles it. */
  @Type(() => Number) @IsInt() @Min(1) @Max(3600)
  WEBHOOK_RETRY_DELAY_SECONDS = 2;

  /** How long webhook events and their logged attempts are kept after the last attempt (30 days). */
  @Type(() => Number) @IsInt() @Min(1)
  WEBHOOK_LOG_TTL_SECONDS = 2_592_000;

  @Type(() => Number) @IsInt() @Min(0) @Max(3_600_000)
  AUTH_CACHE_TTL_MS = 30000;

  /** Failed authentications per source address in any sliding minute; past it, 429 until under again. */
  @Type(() => Number) @IsInt() @Min(1)
  AUTH_FAILURES_PER_MINUTE = 30;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** The sandbox console at /console (docs/console.md). Unset: on, except in production. */
  @IsOptional() @IsIn(['true', 'false'], { message: 'CONSOLE_ENABLED must be true or false' })
  CONSOLE_ENABLED?: 'true' | 'false';

  /** How long a console sign-in lasts. */
  @Type(() => Number) @IsInt() @Min(1) @Max(604800)
  CONSOLE_SESSION_TTL_SECONDS = 28800;

  /** The per-client request log the console shows. Unset: on wherever the console is. */
  @IsOptional() @IsIn(['true', 'false'], { message: 'REQUEST_LOG_ENABLED must be true or false' })
  REQUEST_LOG_ENABLED?: 'true' | 'false';

  @Type(() => Number) @IsInt() @Min(1)
  REQUEST_LOG_TTL_SECONDS = 604800;
}

/**
 * The longest a delivery's retries can take: pg-boss waits up to the first delay × 2^(n+1) before retry n,
 * 2^17 times the delay over all of them, and a day more for pickups, POSTs and an attempt whose log failed.
 */
function retryScheduleSeconds(retryDelaySeconds: number): number {
  return retryDelaySeconds * 2 ** 17 + 86_400;
}

export type EnvSource = Record<string, string | undefined>;

/** Validates the environment at boot; a bad or missing setting stops the process with a clear message. */
export function validateEnv(source: EnvSource): Env {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const env = plainToInstance(Env, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false });
  const messages = errors.flatMap((e) => Object.values(e.constraints ?? {}));
  if (env.NODE_ENV === 'production') {
    if (!env.DATABASE_URL) messages.push('DATABASE_URL is required when NODE_ENV=production');
    if (!env.ADMIN_TOKEN) messages.push('ADMIN_TOKEN is required when NODE_ENV=production');
    if (!env.CREDENTIALS_KEY) messages.push('CREDENTIALS_KEY is required when NODE_ENV=production');
  }
  if (env.WEBHOOK_LOG_TTL_SECONDS <= retryScheduleSeconds(env.WEBHOOK_RETRY_DELAY_SECONDS)) {
    messages.push(
      `WEBHOOK_LOG_TTL_SECONDS must exceed a delivery's whole retry schedule and a day more, ${retryScheduleSeconds(env.WEBHOOK_RETRY_DELAY_SECONDS)} s (WEBHOOK_RETRY_DELAY_SECONDS × 2^17 + 86400): an event still being retried must not be deleted`,
    );
  }
  if (env.WEB_CONCURRENCY > 1 && !env.DATABASE_URL) messages.push('WEB_CONCURRENCY above 1 needs DATABASE_URL: the embedded database belongs to one process');
  if (messages.length > 0) {
    throw new Error(`Invalid configuration:\n  - ${messages.join('\n  - ')}`);
  }
  return env;
}
