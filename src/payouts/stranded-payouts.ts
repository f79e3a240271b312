import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { BatchedSweep } from '../common/batched-sweep';
import { AppConfig } from '../config/app-config';
import { PayoutsRepository } from './payouts.repository';

/**
 * Every PAYOUT_RECONCILE_INTERVAL_SECONDS, gives each PENDING payout that has no live settlement job
 * a new one, through the same BatchedSweep as the sweepers. Settling and completing the job are two
 * transactions, so a failover under asynchronous replication can lose the first and keep the second
 * (docs/scaling.md); without this the payout would stay PENDING for good.
 */
@Injectable()
export class StrandedPayouts implements OnApplicationBootstrap {
  private readonly sweeps = new BatchedSweep(new Logger(StrandedPayouts.name), 'PENDING payouts that had no settlement job', 'Requeued');

  constructor(
    private readonly payouts: PayoutsRepository,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const interval = setInterval(() => void this.requeue(), this.config.get('PAYOUT_RECONCILE_INTERVAL_SECONDS') * 1000);
    this.scheduler.addInterval('stranded-payouts', interval);
  }

  /** Returns how many payouts got a new settlement job (0 for a skipped or failed run). */
  requeue(): Promise<number> {
    return this.sweeps.run([(limit) => this.payouts.requeueStranded(limit)]);
  }
}
