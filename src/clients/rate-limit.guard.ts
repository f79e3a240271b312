import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { RateLimitedError } from '../common/errors';

/**
 * Per-client rate limit (RATE_LIMIT_PER_MINUTE) on @nestjs/throttler, across all of a client's
 * routes. It runs as a guard, after authentication and before the idempotency interceptor, so a
 * throttled request is never recorded. Counts are kept by SlidingWindowStorage: shared by every
 * instance through Redis when REDIS_URL is set, per process otherwise.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(@InjectThrottlerOptions() options: ThrottlerModuleOptions, @InjectThrottlerStorage() storage: ThrottlerStorage, reflector: Reflector) {
    super(options, storage, reflector);
    // RateLimit-Limit / -Remaining / -Reset, the IETF draft's names.
    this.headerPrefix = 'RateLimit';
  }

  /** Health checks and the admin API have no client to count against. */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.switchToHttp().getRequest<FastifyRequest>().client === undefined;
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return (request as unknown as FastifyRequest).client!.id;
  }

  /** One budget per client, whatever the route (the library's default counts per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    throw new RateLimitedError(`At most ${detail.limit} requests a minute; retry after the time in Retry-After`, retryAfter, {
      'RateLimit-Limit': String(detail.limit),
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': String(retryAfter),
    });
  }
}
