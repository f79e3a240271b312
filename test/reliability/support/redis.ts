import Redis from 'ioredis';
import { ChildProcess, spawn } from 'node:child_process';
import { sleep } from './load-profile';

/** The machine's Redis, which the shared-limit tests count in (each under a key prefix of its own). */
export const MACHINE_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A client for looking into a Redis from a test; it never waits for a connection that is not there. */
export function inspect(url: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
}

/** Keys under `prefix` in the Redis at `url`. */
export async function keysUnder(url: string, prefix: string): Promise<string[]> {
  const client = inspect(url);
  try {
    await client.connect();
    return await client.keys(`${prefix}:*`);
  } finally {
    client.disconnect();
  }
}

export interface RedisProcess {
  url: string;
  child: ChildProcess;
  /** SIGKILL, and resolves once it has exited. */
  kill(): Promise<void>;
}

/** A Redis server of the test's own on `port` (loopback, nothing on disk), so that a test may kill it. */
export async function startRedis(port: number, readyTimeoutMs = 10_000): Promise<RedisProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const client = inspect(url);
    const answer = await client.connect().then(() => client.ping(), () => undefined);
    client.disconnect();
    if (answer === 'PONG') break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING`);
    }
    await sleep(50);
  }
  return {
    url,
    child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
