/**
 * How hard the reliability suite pushes. `npm test` runs it bounded (the whole directory well under
 * two minutes on a 2-core machine); `npm run test:soak` sets SOAK=1 and every test holds several
 * times the load. Both are bounded in requests and in seconds.
 */
export const SOAK = process.env.SOAK === '1';

export function scaled<T>(bounded: T, soak: T): T {
  return SOAK ? soak : bounded;
}

/**
 * The seed of a randomized test, printed so a failure can be replayed with RELIABILITY_SEED=<seed>.
 * The seed fixes the workload (bodies, keys, faults, kill moments); the interleaving of concurrent
 * requests depends on timing and cannot be replayed exactly.
 */
export function chooseSeed(test: string): number {
  const given = process.env.RELIABILITY_SEED;
  const seed = given === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`RELIABILITY_SEED must be an integer, not ${given}`);
  console.log(`[${test}] seed=${seed} mode=${SOAK ? 'soak' : 'bounded'} (replay with RELIABILITY_SEED=${seed})`);
  return seed;
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * A seed of its own for stream `stream` of a run (one per logical request, say), so that what one
 * request draws does not depend on how many draws the others made before it.
 */
export function derivedSeed(seed: number, stream: number): number {
  return (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
}
