import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { RateLimitCounters } from './rate-limit-counters';

/** One key's counts: its current window (`ttl`-long windows aligned on the clock) and the one before. */
interface Counts {
  windowStart: number;
  current: number;
  previous: number;
}

/**
 * Request counts for @nestjs/throttler in constant time and memory per key: a sliding-window
 * counter. The estimate for the last `ttl` is the current window's count plus the previous
 * window's, weighted by the share of it the sliding window still covers. The counts are kept in
 * RateLimitCounters (Redis, shared by every instance, or this process); windows are aligned on the
 * clock so that every instance names the same two.
 *
 * Why not the library's in-memory storage: it keeps one timestamp per counted hit and filters
 * them all, allocating a new array, on every request, so each request costs in proportion to the
 * client's traffic of the last minute. Under load that halved replay throughput within a minute
 * and drove the heap up (bench/HISTORY.md). `blockDuration` is not used: a client is refused
 * exactly while its estimate is at the limit.
 */
@Injectable()
export class SlidingWindowStorage implements ThrottlerStorage {
  constructor(private readonly counters: RateLimitCounters) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    return (await this.take(key, ttl, limit)).record;
  }

  /** Counts one hit, as `increment` does, and answers how to take that hit back out of the window it went into. */
  async take(key: string, ttl: number, limit: number): Promise<{ record: ThrottlerStorageRecord; giveBack: () => Promise<void> }> {
    const now = Date.now();
    const counts = await this.countsAt(key, now, ttl, true);
    const counted = windowKey(key, counts.windowStart);
    const estimate = estimateAt(counts, now, ttl);
    if (estimate > limit) {
      // A refused request is not counted: a client over its limit is refused only until its count slides under it.
      await this.counters.decrement(counted, keepSeconds(ttl));
      return { record: refusal({ ...counts, current: counts.current - 1 }, now, ttl, limit), giveBack: async () => undefined };
    }
    return {
      record: { totalHits: Math.ceil(estimate), timeToExpire: secondsLeft(counts, now, ttl), isBlocked: false, timeToBlockExpire: 0 },
      giveBack: () => this.counters.decrement(counted, keepSeconds(ttl)),
    };
  }

  /** What `increment` would answer, without counting anything. */
  async peek(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    const counts = await this.countsAt(key, now, ttl, false);
    const estimate = estimateAt(counts, now, ttl);
    if (estimate + 1 > limit) return refusal(counts, now, ttl, limit);
    return { totalHits: Math.ceil(estimate), timeToExpire: secondsLeft(counts, now, ttl), isBlocked: false, timeToBlockExpire: 0 };
  }

  /** The counts of the window holding `now` (with this hit when `hit`) and of the one before, read at once. */
  private async countsAt(key: string, now: number, ttl: number, hit: boolean): Promise<Counts> {
    const windowStart = now - (now % ttl);
    const currentKey = windowKey(key, windowStart);
    const [current, previous] = await Promise.all([
      hit ? this.counters.increment(currentKey, keepSeconds(ttl)) : this.counters.read(currentKey),
      this.counters.read(windowKey(key, windowStart - ttl)),
    ]);
    return { windowStart, current, previous };
  }
}

function windowKey(key: string, windowStart: number): string {
  return `${key}:${windowStart}`;
}

/** A window's count is read during the next window too. */
function keepSeconds(ttl: number): number {
  return Math.ceil((2 * ttl) / 1000);
}

function estimateAt({ windowStart, current, previous }: Counts, now: number, ttl: number): number {
  return previous * (1 - (now - windowStart) / ttl) + current;
}

function secondsLeft({ windowStart }: Counts, now: number, ttl: number): number {
  return Math.ceil((windowStart + ttl - now) / 1000);
}

function refusal(counts: Counts, now: number, ttl: number, limit: number): ThrottlerStorageRecord {
  const timeToBlockExpire = Math.max(1, Math.ceil((allowedAgainAt(counts, ttl, limit) - now) / 1000));
  return { totalHits: limit + 1, timeToExpire: secondsLeft(counts, now, ttl), isBlocked: true, timeToBlockExpire };
}

/** The first moment the estimate leaves room for one more request. */
function allowedAgainAt({ windowStart, current, previous }: Counts, ttl: number, limit: number): number {
  // Room in this window once enough of the previous one has slid out: previous * (1 - x / ttl) <= limit - 1 - current.
  if (current + 1 <= limit && previous > 0) return windowStart + ttl * (1 - (limit - 1 - current) / previous);
  // Otherwise in the next window, once enough of this one has slid out: current * (1 - x / ttl) <= limit - 1.
  return windowStart + ttl + ttl * (1 - (limit - 1) / current);
}
