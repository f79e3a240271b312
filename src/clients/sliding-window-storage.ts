import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

/** One key's counts: its current window (consecutive `ttl`-long windows from its first hit) and the one before. */
interface Counts {
  windowStart: number;
  current: number;
  previous: number;
}

/**
 * Request counts for @nestjs/throttler in constant time and memory per key: a sliding-window
 * counter. The estimate for the last `ttl` is the current window's count plus the previous
 * window's, weighted by the share of it the sliding window still covers.
 *
 * Why not the library's in-memory storage: it keeps one timestamp per counted hit and filters
 * them all, allocating a new array, on every request, so each request costs in proportion to the
 * client's traffic of the last minute. Under load that halved replay throughput within a minute
 * and drove the heap up (bench/HISTORY.md). `blockDuration` is not used: a client is refused
 * exactly while its estimate is at the limit.
 */
export class SlidingWindowStorage implements ThrottlerStorage {
  private readonly counts = new Map<string, Counts>();
  private lastSweep = Date.now();

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    this.sweepIdle(now, ttl);
    const counts = this.countsAt(key, now, ttl);
    const previousShare = 1 - (now - counts.windowStart) / ttl;
    const estimate = counts.previous * previousShare + counts.current;
    const timeToExpire = Math.ceil((counts.windowStart + ttl - now) / 1000);
    if (estimate + 1 > limit) {
      const timeToBlockExpire = Math.max(1, Math.ceil((allowedAgainAt(counts, ttl, limit) - now) / 1000));
      return { totalHits: limit + 1, timeToExpire, isBlocked: true, timeToBlockExpire };
    }
    counts.current += 1;
    return { totalHits: Math.ceil(estimate) + 1, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
  }

  /** The key's counts with its windows moved up to `now`. */
  private countsAt(key: string, now: number, ttl: number): Counts {
    let counts = this.counts.get(key);
    if (!counts) {
      counts = { windowStart: now, current: 0, previous: 0 };
      this.counts.set(key, counts);
    }
    const windowsPassed = Math.floor((now - counts.windowStart) / ttl);
    if (windowsPassed > 0) {
      counts.previous = windowsPassed === 1 ? counts.current : 0;
      counts.current = 0;
      counts.windowStart += windowsPassed * ttl;
    }
    return counts;
  }

  /** Once a window, forgets keys idle for two windows: their estimate is zero. */
  private sweepIdle(now: number, ttl: number): void {
    if (now - this.lastSweep < ttl) return;
    this.lastSweep = now;
    for (const [key, counts] of this.counts) {
      if (now - counts.windowStart >= 2 * ttl) this.counts.delete(key);
    }
  }
}

/** The first moment the estimate leaves room for one more request. */
function allowedAgainAt({ windowStart, current, previous }: Counts, ttl: number, limit: number): number {
  // Room in this window once enough of the previous one has slid out: previous * (1 - x / ttl) <= limit - 1 - current.
  if (current + 1 <= limit && previous > 0) return windowStart + ttl * (1 - (limit - 1 - current) / previous);
  // Otherwise in the next window, once enough of this one has slid out: current * (1 - x / ttl) <= limit - 1.
  return windowStart + ttl + ttl * (1 - (limit - 1) / current);
}
