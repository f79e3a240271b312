import { Injectable } from '@nestjs/common';
import { RateLimitedError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { SlidingWindowStorage } from './sliding-window-storage';

const MINUTE_MS = 60_000;
/** Addresses remembered as blocked at once; past it the oldest are forgotten (they are counted again). */
const MAX_BLOCKED = 10_000;

/**
 * Failed authentication (unknown keys, wrong secrets, bad signatures, wrong admin tokens) counted per
 * source address over a sliding minute. Past AUTH_FAILURES_PER_MINUTE the address is refused with
 * 429 before any credential is looked at, so a flood of guesses reaches neither the database nor
 * the hash compare, until its count has slid back under the bound.
 */
@Injectable()
export class FailedAuthThrottle {
  private readonly failures = new SlidingWindowStorage();
  private readonly blockedUntil = new Map<string, number>();

  constructor(private readonly config: AppConfig) {}

  /** Throws 429 RATE_LIMITED while `address` is over the bound. */
  refuseIfBlocked(address: string): void {
    const until = this.blockedUntil.get(address);
    if (until === undefined) return;
    const waitMs = until - Date.now();
    if (waitMs <= 0) {
      this.blockedUntil.delete(address);
      return;
    }
    throw new RateLimitedError('Too many failed authentication attempts from this address; retry after the time in Retry-After', Math.ceil(waitMs / 1000));
  }

  /** Counts a failure; the one that reaches the bound blocks the address until its window has passed. */
  async failed(address: string): Promise<void> {
    const limit = this.config.get('AUTH_FAILURES_PER_MINUTE');
    const counted = await this.failures.increment(address, MINUTE_MS, limit);
    if (!counted.isBlocked && counted.totalHits < limit) return;
    if (this.blockedUntil.size >= MAX_BLOCKED) this.blockedUntil.delete(this.blockedUntil.keys().next().value as string);
    const blockSeconds = counted.isBlocked ? counted.timeToBlockExpire : Math.max(1, counted.timeToExpire);
    this.blockedUntil.set(address, Date.now() + blockSeconds * 1000);
  }
}
