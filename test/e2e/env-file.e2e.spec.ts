import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, TestDatabase } from '../support/database';
import { until } from '../support/poll';
import { freePort } from '../support/server-process';

/** Runs the built service in `cwd` with only `env` (and PATH) set; resolves once it is ready, with how to stop it. */
async function bootIn(cwd: string, env: Record<string, string>): Promise<{ stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(__dirname, '../../dist/src/main.js')], {
    cwd,
    env: { PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const ready = () => fetch(`http://127.0.0.1:${port}/health/ready`).then((reply) => reply.ok, () => false);
  try {
    await until(async () => {
      if (exitCode !== undefined) throw new Error(`exited with code ${exitCode}`);
      return ready();
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`not ready (${(error as Error).message}); its output:\n${output}`);
  }
  return {
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('.env', () => {
  let dir: string;
  let db: TestDatabase;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerline-env-'));
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is loaded before the settings are first validated, and the environment wins over it', async () => {
    const credentialsKey = Buffer.alloc(32, 5).toString('base64');
    await writeFile(join(dir, '.env'), `DATABASE_URL=${db.url}\nADMIN_TOKEN=an-admin-token-from-dotenv\nCREDENTIALS_KEY=${credentialsKey}\nPORT=not-a-port\n`);
    // Production refuses to start without the three settings only .env holds; its PORT would be refused too.
    const server = await bootIn(dir, { NODE_ENV: 'production' });
    await server.stop();
  }, 60_000);

  it('is ignored under NODE_ENV=test', async () => {
    await writeFile(join(dir, '.env'), 'WEB_CONCURRENCY=0\n');
    const server = await bootIn(dir, { NODE_ENV: 'test', DATABASE_URL: db.url });
    await server.stop();
  }, 60_000);
});
