import { Logger } from '@nestjs/common';

const BATCH_SIZE = 1000;
/**
 * How long one run keeps at one kind of row while full batches keep coming: bounded, yet far ahead of
 * what the service writes (a batch takes tens of milliseconds). A count of batches instead (50 a run,
 * once a minute) capped a sweeper at about 833 rows a second, below one process's order rate.
 */
export const BUDGET_PER_KIND_MS = 10_000;

/** Handles (deletes, requeues) up to `limit` rows of one kind; answers how many it handled. */
export type SweepBatch = (limit: number) => Promise<number>;

/** Runs each `batch(limit)` until it handles fewer than a batch, or its budget is spent. Returns how many rows were handled. */
async function inBatches(batches: SweepBatch[], now: () => number): Promise<number> {
  let total = 0;
  for (const batch of batches) {
    const spentAt = now() + BUDGET_PER_KIND_MS;
    for (;;) {
      const handled = await batch(BATCH_SIZE);
      total += handled;
      if (handled < BATCH_SIZE || now() >= spentAt) break;
    }
  }
  return total;
}

/**
 * A sweeper's runs: one at a time (a run still going when the next is due is skipped), in batches,
 * and a failed run is logged for the next one to retry. Correctness never waits on a sweep.
 */
export class BatchedSweep {
  private running = false;

  /** `what` names the rows and `done` what a run did to them, in the log lines ("Deleted 12 expired idempotency records"). */
  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    private readonly done = 'Deleted',
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns how many rows were handled (0 for a skipped or failed run). */
  async run(batches: SweepBatch[]): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const total = await inBatches(batches, this.now);
      if (total > 0) this.logger.log(`${this.done} ${total} ${this.what}`);
      return total;
    } catch (error) {
      this.logger.error({ err: error }, `Sweep of ${this.what} failed; the next run retries`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
