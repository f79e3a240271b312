import cluster from 'node:cluster';

/** Waits before forking again a replacement that failed to boot: doubling from the first, up to the most. */
const FIRST_RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * `WEB_CONCURRENCY` > 1: this primary process only forks that many workers, each a whole service
 * sharing the port (node:cluster), restarts one that dies, and passes SIGTERM/SIGINT on. The service
 * is stateless, so workers are instances like any other; a worker per core uses the machine's cores.
 * Before any worker has listened, one that exits failed to boot: the primary exits 1 rather than loop.
 * After, a replacement that fails to boot (the database failing over, say) is tried again, waiting
 * longer each time, while the others keep serving.
 */
export function superviseWorkers(count: number): void {
  let stopping = false;
  let booted = false;
  let retryDelayMs = FIRST_RETRY_DELAY_MS;
  const fork = () => {
    if (stopping) return;
    let listened = false;
    const worker = cluster.fork();
    worker
      .once('listening', () => {
        listened = booted = true;
        retryDelayMs = FIRST_RETRY_DELAY_MS;
        console.log(`Ledgerline worker ${worker.process.pid} listening`);
      })
      .on('exit', (code, signal) => {
        if (stopping) {
          if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
          return;
        }
        console.error(`Ledgerline worker exited (code ${code}, signal ${signal})`);
        if (!booted) process.exit(1);
        if (listened) return fork();
        setTimeout(fork, retryDelayMs);
        retryDelayMs = Math.min(2 * retryDelayMs, MAX_RETRY_DELAY_MS);
      });
  };
  for (let i = 0; i < count; i++) fork();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    });
  }
}
