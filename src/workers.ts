import cluster from 'node:cluster';

/** A worker that exits this soon after it was forked failed to boot: retrying would only loop. */
const FAILED_BOOT_MS = 10_000;

/**
 * `WEB_CONCURRENCY` > 1: this primary process only forks that many workers, each a whole service
 * sharing the port (node:cluster), restarts one that dies, and passes SIGTERM/SIGINT on. The service
 * is stateless, so workers are instances like any other; a worker per core uses the machine's cores.
 */
export function superviseWorkers(count: number): void {
  let stopping = false;
  const fork = () => {
    const forkedAt = Date.now();
    cluster.fork().on('exit', (code, signal) => {
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
        return;
      }
      console.error(`Ledgerline worker exited (code ${code}, signal ${signal})`);
      if (Date.now() - forkedAt < FAILED_BOOT_MS && code !== 0) process.exit(1);
      fork();
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
