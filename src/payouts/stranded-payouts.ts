import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config';
import { PayoutsRepository } from './payouts.repository';

/** Payouts requeued a run at most; the rest wait for the next run. */
const REQUEUE_LIMIT = 1000;

/**
 * Every PAYOUT_RECONCILE_INTERVAL_SECONDS, gives each PENDING payout that has no live settlement job
 * a new one. Settling and completing the job are two transactions, so a failover under asynchronous
 * replication can lose the first and keep the second (docs/scaling.md); without this the payout
 * would stay PENDING for good. The run is one call; a failed run is logged and the next one retries.
 */
@Injectable()
export class StrandedPayouts implements OnApplicationBootstrap {
  private readonly logger = new Logger(StrandedPayouts.name);

  constructor(
    private readonly payouts: PayoutsRepository,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const interval = setInterval(() => void this.requeue(), this.config.get('PAYOUT_RECONCILE_INTERVAL_SECONDS') * 1000);
    this.scheduler.addInterval('stranded-payouts', interval);
  }

  /** Returns how many payouts got a new settlement job (0 when the run failed). */
  async requeue(): Promise<number> {
    try {
      const requeued = await this.payouts.requeueStranded(REQUEUE_LIMIT);
      if (requeued > 0) this.logger.warn({ requeued }, 'PENDING payouts without a settlement job were given a new one');
      return requeued;
    } catch (error) {
      this.logger.error({ err: error }, 'Requeueing stranded payouts failed; the next run retries');
      return 0;
    }
  }
}
