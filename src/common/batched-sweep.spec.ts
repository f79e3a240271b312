import { Logger } from '@nestjs/common';
import { BatchedSweep, BUDGET_PER_KIND_MS } from './batched-sweep';

/** A kind of row with `rows` to handle, in batches, on a clock that `msPerBatch` moves on by each batch. */
function backlog(rows: number, clock: { ms: number }, msPerBatch: number) {
  let left = rows;
  return async (limit: number) => {
    clock.ms += msPerBatch;
    const handled = Math.min(limit, left);
    left -= handled;
    return handled;
  };
}

describe('BatchedSweep', () => {
  const logger = new Logger('BatchedSweep test');

  it('keeps sweeping full batches while within its budget: a backlog of 120,500 rows goes in one run', async () => {
    const clock = { ms: 0 };
    const sweep = new BatchedSweep(logger, 'rows', 'Deleted', () => clock.ms);
    expect(await sweep.run([backlog(120_500, clock, 50)])).toBe(120_500);
  });

  it('stops one kind when its budget is spent, and gives the next kind a budget of its own', async () => {
    const clock = { ms: 0 };
    const sweep = new BatchedSweep(logger, 'rows', 'Deleted', () => clock.ms);
    const msPerBatch = BUDGET_PER_KIND_MS / 4;
    // The first kind could go on for ever; it gets four batches' time, then the second kind sweeps all of its 2,500.
    expect(await sweep.run([backlog(Number.MAX_SAFE_INTEGER, clock, msPerBatch), backlog(2_500, clock, msPerBatch)])).toBe(4_000 + 2_500);
  });
});
