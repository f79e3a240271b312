import { Injectable } from '@nestjs/common';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { RateLimitedError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { SlidingWindowStorage } from './sliding-window-storage';

const MINUTE_MS = 60_000;

/**
 * Failed authentication (unknown keys, wrong secrets, bad signatures, wrong admin tokens) counted per
 * source address over a sliding minute, in the same windows as the rate limit (shared by every
 * instance when REDIS_URL is set). Past AUTH_FAILURES_PER_MINUTE the address is refused with 429
 * before any credential is looked at, so a flood of guesses reaches neither the database nor the
 * hash compare, until its count has slid back under the bound.
 */
@Injectable()
export class FailedAuthThrottle {
  constructor(
    private readonly config: AppConfig,
    private readonly windows: SlidingWindowStorage,
  ) {}

  /** Throws 429 RATE_LIMITED while `address` is over the bound. */
  async refuseIfBlocked(address: string): Promise<void> {
    refuseWhenBlocked(await this.windows.peek(keyOf(address), MINUTE_MS, this.config.get('AUTH_FAILURES_PER_MINUTE')));
  }

  /**
   * Counts an attempt from `address` as failed before it is checked (429 past the bound), and answers
   * how to give the count back once it succeeds. Unlike a check first and a count after, this holds
   * a burst sent at once to the bound too: each attempt is counted before any is checked.
   */
  async countFirst(address: string): Promise<() => Promise<void>> {
    const { record, giveBack } = await this.windows.take(keyOf(address), MINUTE_MS, this.config.get('AUTH_FAILURES_PER_MINUTE'));
    refuseWhenBlocked(record);
    return giveBack;
  }

  /** Counts a failure from `address`. */
  async failed(address: string): Promise<void> {
    await this.windows.increment(keyOf(address), MINUTE_MS, this.config.get('AUTH_FAILURES_PER_MINUTE'));
  }
}

function refuseWhenBlocked(state: ThrottlerStorageRecord): void {
  if (state.isBlocked) {
    throw new RateLimitedError('Too many failed authentication attempts from this address; retry after the time in Retry-After', state.timeToBlockExpire);
  }
}

/** Apart from the per-client keys the rate limit counts under. */
function keyOf(address: string): string {
  return `auth-failures:${address}`;
}
