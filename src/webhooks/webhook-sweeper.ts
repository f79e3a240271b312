import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { BatchedSweep } from '../common/batched-sweep';
import { AppConfig } from '../config/app-config';
import { WebhooksRepository } from './webhooks.repository';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Deletes, in bounded batches every minute, webhook events and their logged attempts once
 * WEBHOOK_LOG_TTL_SECONDS have passed since the event and its last attempt, so the log does not
 * grow with every event forever. Delivery never waits on it.
 */
@Injectable()
export class WebhookSweeper implements OnApplicationBootstrap {
  private readonly sweeps = new BatchedSweep(new Logger(WebhookSweeper.name), 'expired webhook events with their attempts');

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.addInterval('webhook-sweeper', setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS));
  }

  /** Returns how many events were deleted. */
  sweep(): Promise<number> {
    const ttlSeconds = this.config.get('WEBHOOK_LOG_TTL_SECONDS');
    return this.sweeps.run([(limit) => this.webhooks.deleteExpiredEvents(ttlSeconds, limit)]);
  }
}
