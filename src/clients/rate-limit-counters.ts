import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { once } from 'node:events';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config';

/** Longest a request waits on Redis for one call; past it, that call is counted in this process. */
const REDIS_WAIT_MS = 500;
/** How long boot waits for a first connection, so that the first requests are not counted locally for nothing. */
const REDIS_BOOT_WAIT_MS = 2000;
/** Used as plain counters: the sliding windows compare counts with the limit and give each key its lifetime. */
const AS_COUNTERS = { points: 0, duration: 0 };

/**
 * The expiring counters the rate limits count with, kept by rate-limiter-flexible's stores: in Redis
 * when REDIS_URL is set, so that all instances together allow one limit; in this process without it,
 * and while Redis is unreachable or slower than REDIS_WAIT_MS, so that Redis never fails a request
 * nor holds it long. Each switch between the two is logged once.
 */
@Injectable()
export class RateLimitCounters implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimits');
  private readonly local = new RateLimiterMemory({ ...AS_COUNTERS, keyPrefix: '' });
  private readonly redis?: Redis;
  private readonly shared?: RateLimiterRedis;
  /** Whether the last call was answered by Redis; undefined before the first. */
  private sharing?: boolean;

  constructor(config: AppConfig) {
    const url = config.get('REDIS_URL');
    if (!url) return;
    this.redis = new Redis(url, {
      // Nothing waits for a connection: while there is none, or past REDIS_WAIT_MS, a call fails at once.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: REDIS_WAIT_MS,
    });
    // A failure is logged by the call that meets it; unheard, ioredis would print every reconnect attempt.
    this.redis.on('error', () => undefined);
    this.shared = new RateLimiterRedis({ ...AS_COUNTERS, storeClient: this.redis, keyPrefix: config.get('REDIS_KEY_PREFIX'), rejectIfRedisNotReady: true });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.redis || this.redis.status === 'ready') return;
    await once(this.redis, 'ready', { signal: AbortSignal.timeout(REDIS_BOOT_WAIT_MS) }).catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }

  /** Adds one to `key`'s count, created to last `keepSeconds`; answers the new count. */
  async increment(key: string, keepSeconds: number): Promise<number> {
    return (await this.use((store) => store.penalty(key, 1, { customDuration: keepSeconds }))).consumedPoints;
  }

  /** Takes one back from `key`'s count. */
  async decrement(key: string, keepSeconds: number): Promise<void> {
    await this.use((store) => store.reward(key, 1, { customDuration: keepSeconds }));
  }

  /** `key`'s count; 0 when it has none. */
  async read(key: string): Promise<number> {
    return (await this.use((store): Promise<RateLimiterRes | null> => store.get(key)))?.consumedPoints ?? 0;
  }

  private async use<T>(call: (store: RateLimiterAbstract) => Promise<T>): Promise<T> {
    if (!this.shared) return call(this.local);
    try {
      const answer = await call(this.shared);
      this.switchTo(true);
      return answer;
    } catch (error) {
      this.switchTo(false, error);
      // A Redis that stopped answering on an open connection: reconnecting puts the client in a
      // not-ready state, in which every call falls back at once until Redis answers again.
      if (isTimeout(error) && this.redis!.status === 'ready') this.redis!.disconnect(true);
      return call(this.local);
    }
  }

  private switchTo(sharing: boolean, error?: unknown): void {
    if (this.sharing === sharing) return;
    this.sharing = sharing;
    if (sharing) {
      this.logger.log('Rate limits are counted in Redis, shared by every instance');
    } else {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`Redis is unreachable (${reason}): rate limits are counted in this process until it answers again`);
    }
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Command timed out';
}
