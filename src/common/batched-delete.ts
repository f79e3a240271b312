import { Logger } from '@nestjs/common';

const BATCH_SIZE = 1000;
/** At most this many batches of each kind a run, so one run never holds the worker for long. */
const MAX_BATCHES_PER_RUN = 50;

/** Deletes up to `limit` rows of one kind; answers how many went. */
export type DeleteBatch = (limit: number) => Promise<number>;

/** Deletes in bounded batches: each `deleteBatch(limit)` until it deletes fewer than a batch. Returns how many rows went. */
export async function deleteInBatches(deleteBatches: DeleteBatch[]): Promise<number> {
  let total = 0;
  for (const deleteBatch of deleteBatches) {
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const deleted = await deleteBatch(BATCH_SIZE);
      total += deleted;
      if (deleted < BATCH_SIZE) break;
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

  /** `what` names the rows in the log lines ("expired idempotency records and signatures"). */
  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  /** Returns how many rows were deleted (0 for a skipped or failed run). */
  async run(deleteBatches: DeleteBatch[]): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const total = await deleteInBatches(deleteBatches);
      if (total > 0) this.logger.log(`Deleted ${total} ${this.what}`);
      return total;
    } catch (error) {
      this.logger.error({ err: error }, `Sweep of ${this.what} failed; the next run retries`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
