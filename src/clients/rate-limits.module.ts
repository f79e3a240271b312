import { Module } from '@nestjs/common';
import { RateLimitCounters } from './rate-limit-counters';
import { SlidingWindowStorage } from './sliding-window-storage';

/** The sliding windows behind the per-client rate limit and the failed-authentication throttle. */
@Module({
  providers: [RateLimitCounters, SlidingWindowStorage],
  exports: [SlidingWindowStorage],
})
export class RateLimitsModule {}
