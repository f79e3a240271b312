import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { embeddedDatabaseUrl } from '../../src/database/embedded-postgres';
import { callHeldOpen, until } from '../support/poll';
import { freePort, startServerProcess } from '../support/server-process';

const portAccepts = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => done(socket.destroy() === socket));
    socket.once('error', () => done(false));
  });

/** `npm start` on a fresh machine: no DATABASE_URL, so the app runs its own PostgreSQL. */
describe('embedded PostgreSQL default', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerline-embedded-'));
    // As root the cluster runs as the postgres user, who must be able to reach the data directory.
    await chmod(dir, 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('boots with no database installed, drains through a Ctrl-C, keeps its data across restarts and stops on SIGTERM', async () => {
    const pgPort = await freePort();
    const env = { NODE_ENV: 'development', EMBEDDED_PG_DIR: join(dir, 'pg'), EMBEDDED_PG_PORT: String(pgPort) };

    const first = await startServerProcess(env, undefined, { ownProcessGroup: true });
    // Ended whatever happens here: a failed expectation must not leave it (and Jest) running.
    let wallets: { data: Array<{ id: string }> };
    let headers: Record<string, string>;
    try {
      const key = /X-API-Key:\s+(\S+)/.exec(first.output())?.[1];
      const secret = /X-API-Secret:\s+(\S+)/.exec(first.output())?.[1];
      expect(key).toBeDefined();
      headers = { 'x-api-key': key!, 'x-api-secret': secret! };
      wallets = (await (await fetch(`${first.baseUrl}/v1/wallets`, { headers })).json()) as { data: Array<{ id: string }> };
      expect(wallets.data).toEqual([expect.objectContaining({ currency: 'USD', balance: 100_000_000 })]);

      // A deposit held open in its transaction when Ctrl-C arrives is answered: the database outlives the drain.
      const held = fetch(`${first.baseUrl}/v1/wallets/${wallets.data[0].id}/deposits`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID(), 'x-sandbox-fault': 'delay=1500' },
        body: JSON.stringify({ amount: 1 }),
      });
      const watcher = new Client({ connectionString: embeddedDatabaseUrl(pgPort) });
      await watcher.connect();
      try {
        const db = { query: (sql: string, params?: unknown[]) => watcher.query(sql, params).then((result) => result.rows) };
        await until(() => callHeldOpen(db, 'deposit'));
      } finally {
        await watcher.end();
      }
      // A terminal's Ctrl-C: SIGINT to every process of the foreground group, the service's own children included.
      process.kill(-first.child.pid!, 'SIGINT');
      expect((await held).status).toBe(201);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
    // The embedded server went down with the app: nothing is left holding the port or the data.
    expect(await portAccepts(pgPort)).toBe(false);

    // Second start: same data, no second sandbox client, the printed credentials still work.
    const second = await startServerProcess(env);
    try {
      expect(second.output()).not.toContain('X-API-Key:');
      const again = await fetch(`${second.baseUrl}/v1/wallets`, { headers });
      expect(again.status).toBe(200);
      expect(((await again.json()) as typeof wallets).data[0]).toMatchObject({ id: wallets.data[0].id, balance: 100_000_001 });
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    // A restart found its database already there, and left no connection behind to be cut at the stop.
    expect(second.output()).not.toMatch(/Connection terminated unexpectedly|terminating connection due to administrator command/);
  }, 180_000);
});
