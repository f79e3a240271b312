import cluster from 'node:cluster';

/**
 * `WEB_CONCURRENCY` > 1: this primary process only forks that many workers, each a whole service
 * sharing the port (node:cluster), restarts one that dies, and passes SIGTERM/SIGINT on. The service
 * is stateless, so workers are instances like any other; a worker per core uses the machine's cores.
 * A worker that exits before it ever listened failed to boot: the primary exits 1 rather than loop.
 */
export function superviseWorkers(count: number): void {
  let stopping = false;
  const fork = () => {
    let listened = false;
    const worker = cluster.fork();
    worker
      .once('listening', () => {
        listened = true;
        console.log(`Ledgerline worker ${worker.process.pid} listening`);
      })
      .on('exit', (code, signal) => {
        if (stopping) {
          if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
          return;
        }
        console.error(`Ledgerline worker exited (code ${code}, signal ${signal})`);
        if (!listened) process.exit(1);
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
