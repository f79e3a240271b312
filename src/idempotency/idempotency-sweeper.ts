import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { BatchedSweep } from '../common/batched-sweep';
import { AppConfig } from '../config/app-config';
import { IdempotencyRepository } from './idempotency.repository';

/**
 * Deletes expired idempotency records, and remembered signatures past their window, in bounded
 * batches, every IDEMPOTENCY_SWEEP_INTERVAL_SECONDS. Correctness never depends on it: an expired
 * record already counts as new, and an expired signature's timestamp is refused anyway.
 */
@Injectable()
export class IdempotencySweeper implements OnApplicationBootstrap {
  private readonly sweeps = new BatchedSweep(new Logger(IdempotencySweeper.name), 'expired idempotency records and signatures');

  constructor(
    private readonly records: IdempotencyRepository,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const interval = setInterval(() => void this.sweep(), this.config.get('IDEMPOTENCY_SWEEP_INTERVAL_SECONDS') * 1000);
    this.scheduler.addInterval('idempotency-sweeper', interval);
  }

  /** Returns how many records were deleted. */
  sweep(): Promise<number> {
    return this.sweeps.run([(limit) => this.records.deleteExpired(limit), (limit) => this.records.deleteExpiredSignatures(limit)]);
  }
}
