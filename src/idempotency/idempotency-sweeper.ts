import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { deleteInBatches } from '../common/batched-delete';
import { AppConfig } from '../config/app-config';
import { IdempotencyRepository } from './idempotency.repository';

/**
 * Deletes expired idempotency records, and remembered signatures past their window, in bounded
 * batches, every IDEMPOTENCY_SWEEP_INTERVAL_SECONDS. Correctness never depends on it: an expired
 * record already counts as new, and an expired signature's timestamp is refused anyway.
 */
@Injectable()
export class IdempotencySweeper implements OnApplicationBootstrap {
  private readonly logger = new Logger(IdempotencySweeper.name);
  private running = false;

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
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let total = 0;
    try {
      total = await deleteInBatches([(limit) => this.records.deleteExpired(limit), (limit) => this.records.deleteExpiredSignatures(limit)]);
      if (total > 0) this.logger.log(`Deleted ${total} expired idempotency records and signatures`);
    } catch (error) {
      this.logger.error({ err: error }, 'Idempotency sweep failed; the next run retries');
    } finally {
      this.running = false;
    }
    return total;
  }
}
