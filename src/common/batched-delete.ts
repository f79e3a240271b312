const BATCH_SIZE = 1000;
/** At most this many batches of each kind a run, so one run never holds the worker for long. */
const MAX_BATCHES_PER_RUN = 50;

/** Deletes in bounded batches: each `deleteBatch(limit)` until it deletes fewer than a batch. Returns how many rows went. */
export async function deleteInBatches(deleteBatches: Array<(limit: number) => Promise<number>>): Promise<number> {
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
