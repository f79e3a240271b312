import { existsSync, readFileSync } from 'node:fs';
import { createHmac, randomUUID } from 'node:crypto';
import { createTestDatabase, onServer } from '../support/database';
import { fundedWallet } from '../support/fixtures';
import { until } from '../support/poll';
import { startServerProcess } from '../support/server-process';
import { ADMIN_TOKEN, Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

/** The value of one sample in Prometheus text, 0 when absent. */
function sample(metrics: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('metrics', () => {
  let t: TestApp;
  let alice: Credentials;
  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.newClient();
  });
  afterAll(() => t.close());

  it('change when traffic flows', async () => {
    const scrape = async () => (await t.request('GET', '/metrics')).body;
    const walletId = await fundedWallet(t, alice, 'USD', 10_000);
    const before = await scrape();
    const headers = withKey(alice.headers);
    const body = { wallet_id: walletId, product_id: 123, denomination: 1000, quantity: 1 };
    await t.request('POST', '/v1/orders', { headers, body });
    await t.request('POST', '/v1/orders', { headers, body });
    await t.request('POST', '/v1/orders', { headers, body: { ...body, quantity: 2 } });
    const after = await scrape();

    const orders = { method: 'POST', route: '/v1/orders', status: '201' };
    expect(sample(after, 'http_request_duration_seconds_count', orders) - sample(before, 'http_request_duration_seconds_count', orders)).toBe(2);
    for (const outcome of ['executed', 'replayed', 'reused']) {
      expect(sample(after, 'idempotency_outcomes_total', { outcome }) - sample(before, 'idempotency_outcomes_total', { outcome })).toBe(1);
    }
    expect(after).toMatch(/^db_pool_connections\{state="total"\} \d+/m);
    expect(after).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});

describe('rate limits', () => {
  let t: TestApp;
  let alice: Credentials;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
    alice = await t.newClient();
  });
  afterAll(() => t.close());

  it('answer 429 past the limit, with Retry-After and RateLimit headers, and record nothing', async () => {
    const walletId = (await t.request('POST', '/v1/wallets', { headers: alice.headers, body: { currency: 'USD' } })).json.id;
    const remaining: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const reply = await t.request('GET', `/v1/wallets/${walletId}`, { headers: alice.headers });
      expect(reply.status).toBe(200);
      expect(reply.headers['ratelimit-limit']).toBe('5');
      remaining.push(reply.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);

    const key = randomUUID();
    const limited = await t.request('POST', `/v1/wallets/${walletId}/deposits`, { headers: withKey(alice.headers, key), body: { amount: 100 } });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(await t.db.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [key])).toHaveLength(0);
    expect(await t.db.query('SELECT 1 FROM deposits WHERE wallet_id = $1', [walletId])).toHaveLength(0);

    // Another client has its own budget; health checks have none.
    const bob = await t.newClient();
    expect((await t.request('GET', '/v1/wallets', { headers: bob.headers })).status).toBe(200);
    expect((await t.request('GET', '/health')).status).toBe(200);
  });
});

describe('signed requests', () => {
  let t: TestApp;
  let apiKey: string;
  let apiSecret: string;
  beforeAll(async () => {
    t = await startTestApp();
    const created = await t.request('POST', '/v1/admin/clients', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: { name: 'signer' } });
    ({ api_key: apiKey, api_secret: apiSecret } = created.json);
  });
  afterAll(() => t.close());

  const signed = (method: string, path: string, body: string, timestamp = new Date().toISOString(), secret = apiSecret, key = '') => ({
    'x-api-key': apiKey,
    'x-timestamp': timestamp,
    'x-signature': createHmac('sha256', secret).update([timestamp, method, path, key, body].join('\n')).digest('hex'),
    'content-type': 'application/json',
    ...(key ? { 'idempotency-key': key } : {}),
  });

  it('authenticate with a signature instead of the secret', async () => {
    const body = JSON.stringify({ currency: 'USD', external_id: 'signed' });
    const created = await t.request('POST', '/v1/wallets?trace=1', { headers: signed('POST', '/v1/wallets?trace=1', body), body });
    expect(created.status).toBe(201);
    const read = await t.request('GET', `/v1/wallets/${created.json.id}`, { headers: signed('GET', `/v1/wallets/${created.json.id}`, '') });
    expect(read.status).toBe(200);
  });

  it('refuse an altered body, another path, a wrong secret and a stale or future timestamp', async () => {
    const body = JSON.stringify({ currency: 'USD' });
    const cases = [
      { headers: signed('POST', '/v1/wallets', body), body: JSON.stringify({ currency: 'EUR' }) },
      { headers: signed('POST', '/v1/wallets?x=1', body), body },
      { headers: signed('POST', '/v1/wallets', body, undefined, 'sk_not_the_secret'), body },
      { headers: signed('POST', '/v1/wallets', body, new Date(Date.now() - 301_000).toISOString()), body },
      { headers: signed('POST', '/v1/wallets', body, new Date(Date.now() + 301_000).toISOString()), body },
      { headers: { ...signed('POST', '/v1/wallets', body), 'x-signature': 'zz' }, body },
      // Only the canonical encoding: no upper case, nothing appended.
      { headers: (({ 'x-signature': hex, ...rest }) => ({ ...rest, 'x-signature': hex.toUpperCase() }))(signed('POST', '/v1/wallets', body)), body },
      { headers: (({ 'x-signature': hex, ...rest }) => ({ ...rest, 'x-signature': `${hex}00` }))(signed('POST', '/v1/wallets', body)), body },
      { headers: (({ 'x-signature': hex, ...rest }) => ({ ...rest, 'x-signature': `${hex}zz` }))(signed('POST', '/v1/wallets', body)), body },
      // The old string, without separators and key, no longer verifies.
      { headers: { ...signed('POST', '/v1/wallets', body), 'x-signature': createHmac('sha256', apiSecret).update(`${new Date().toISOString()}POST/v1/wallets${body}`).digest('hex') }, body },
    ];
    for (const request of cases) {
      const reply = await t.request('POST', '/v1/wallets', request);
      expect([reply.status, reply.json.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
    expect(await t.db.query('SELECT 1 FROM wallets')).toHaveLength(1);
  });

  it('sign the idempotency key: a captured request sent under another key is refused and moves nothing', async () => {
    const body = JSON.stringify({ currency: 'USD', external_id: 'keyed' });
    const key = randomUUID();
    const first = await t.request('POST', '/v1/wallets', { headers: signed('POST', '/v1/wallets', body, undefined, apiSecret, key), body });
    expect(first.status).toBe(201);
    const captured = signed('POST', '/v1/wallets', body, undefined, apiSecret, key);
    for (const otherKey of [randomUUID(), randomUUID()]) {
      const replayed = await t.request('POST', '/v1/wallets', { headers: { ...captured, 'idempotency-key': otherKey }, body });
      expect([replayed.status, replayed.json.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
    const withoutKey = (({ 'idempotency-key': _dropped, ...rest }) => rest)(captured);
    expect((await t.request('POST', '/v1/wallets', { headers: withoutKey, body })).status).toBe(401);
    expect(await t.db.query(`SELECT 1 FROM wallets WHERE external_id = 'keyed'`)).toHaveLength(1);
  });

  it('sign a keyless write once: the identical request sent again is refused, not made twice', async () => {
    const body = JSON.stringify({ currency: 'USD', external_id: 'keyless' });
    const captured = signed('POST', '/v1/wallets', body);
    expect((await t.request('POST', '/v1/wallets', { headers: captured, body })).status).toBe(201);
    const again = await t.request('POST', '/v1/wallets', { headers: captured, body });
    expect([again.status, again.json.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(await t.db.query(`SELECT 1 FROM wallets WHERE external_id = 'keyless'`)).toHaveLength(1);
    // A read changes nothing: its signature still signs it again.
    const read = signed('GET', '/v1/wallets', '');
    for (let i = 0; i < 2; i++) expect((await t.request('GET', '/v1/wallets', { headers: read })).status).toBe(200);
  });
});

describe('graceful shutdown', () => {
  it('finishes the request in flight on SIGTERM, then stops accepting and exits', async () => {
    const db = await createTestDatabase();
    try {
      const server = await startServerProcess({ NODE_ENV: 'test', DATABASE_URL: db.url, ADMIN_TOKEN });
      const post = (path: string, headers: Record<string, string>, body: unknown) =>
        fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const client = (await (await post('/v1/admin/clients', { authorization: `Bearer ${ADMIN_TOKEN}` }, { name: 'shutdown' })).json()) as { api_key: string; api_secret: string };
      const auth = { 'x-api-key': client.api_key, 'x-api-secret': client.api_secret };
      const wallet = (await (await post('/v1/wallets', auth, { currency: 'USD' })).json()) as { id: string };

      const inFlight = post(`/v1/wallets/${wallet.id}/deposits`, { ...auth, 'idempotency-key': randomUUID(), 'x-sandbox-fault': 'delay=1500' }, { amount: 700 });
      // SIGTERM once the deposit's transaction is open (the sandbox's delay holds it idle in transaction).
      while ((await db.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`)).length === 0) {
        await new Promise((done) => setTimeout(done, 20));
      }
      server.child.kill('SIGTERM');

      const answered = await inFlight;
      expect(answered.status).toBe(201);
      expect(answered.headers.get('connection')).toBe('close');
      expect(((await answered.json()) as { balance_after: number }).balance_after).toBe(700);
      await server.exited;
      expect(await fetch(`${server.baseUrl}/health`).then(() => 'answered', () => 'refused')).toBe('refused');
      const [{ balance }] = await db.query<{ balance: string }>('SELECT balance::text FROM wallets WHERE id = $1', [wallet.id]);
      expect(balance).toBe('700');
    } finally {
      await db.drop();
    }
  }, 60_000);
});

describe('request logs', () => {
  it('write one JSON line per answered request, with its id and status, and never the secret', async () => {
    const db = await createTestDatabase();
    try {
      const server = await startServerProcess({ NODE_ENV: 'test', DATABASE_URL: db.url, ADMIN_TOKEN, LOG_LEVEL: 'info' });
      try {
        const created = await fetch(`${server.baseUrl}/v1/admin/clients`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
          body: JSON.stringify({ name: 'logs' }),
        });
        const client = (await created.json()) as { api_key: string; api_secret: string };
        const requestId = `trace-${randomUUID()}`;
        const reply = await fetch(`${server.baseUrl}/v1/wallets`, {
          headers: { 'x-request-id': requestId, 'x-api-key': client.api_key, 'x-api-secret': client.api_secret },
        });
        expect(reply.status).toBe(200);
        // The line is written once the answer has gone out: give it up to 5 s to reach us.
        const linesOf = () => server.output().split('\n').filter((line) => line.includes(requestId));
        for (let waited = 0; linesOf().length === 0 && waited < 5000; waited += 50) await new Promise((done) => setTimeout(done, 50));
        const lines = linesOf();
        expect(lines).toHaveLength(1);
        expect(JSON.parse(lines[0])).toMatchObject({ msg: 'request completed', reqId: requestId, method: 'GET', url: '/v1/wallets', statusCode: 200 });
        expect(server.output()).not.toContain(client.api_secret);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    } finally {
      await db.drop();
    }
  }, 60_000);
});

describe('worker processes (WEB_CONCURRENCY)', () => {
  const childrenOf = (pid: number) =>
    readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

  it('forks that many workers on one port, replaces one that dies, and stops them all on SIGTERM', async () => {
    const db = await createTestDatabase();
    try {
      const server = await startServerProcess({ NODE_ENV: 'test', DATABASE_URL: db.url, ADMIN_TOKEN, WEB_CONCURRENCY: '2' });
      const primary = server.child.pid!;
      const listening = () => [...server.output().matchAll(/worker (\d+) listening/g)].map((match) => Number(match[1]));
      await until(() => listening().length === 2, 30_000);
      const [doomed, survivor] = listening();
      expect(childrenOf(primary).sort()).toEqual([doomed, survivor].sort());
      process.kill(doomed, 'SIGKILL');
      await until(() => listening().length === 3, 30_000);
      expect(childrenOf(primary)).toContain(survivor);
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.baseUrl}/health`).then((reply) => reply.status)));
      expect(new Set(answers)).toEqual(new Set([200]));

      const workers = childrenOf(primary);
      expect(workers).toHaveLength(2);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      for (const worker of workers) expect(existsSync(`/proc/${worker}`)).toBe(false);
    } finally {
      await db.drop();
    }
  }, 90_000);
});

describe('worker processes while the database refuses new connections', () => {
  it('keeps serving when a replacement cannot boot, and boots it once it can', async () => {
    const db = await createTestDatabase();
    const allowConnections = (allow: boolean) => onServer((server) => server.query(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS ${allow}`));
    try {
      const server = await startServerProcess({ NODE_ENV: 'test', DATABASE_URL: db.url, ADMIN_TOKEN, WEB_CONCURRENCY: '2' });
      const listening = () => [...server.output().matchAll(/worker (\d+) listening/g)].length;
      const failedBoots = () => [...server.output().matchAll(/worker exited \(code 1,/g)].length;
      await until(() => listening() === 2, 30_000);
      const [doomed] = [...server.output().matchAll(/worker (\d+) listening/g)].map((match) => Number(match[1]));
      await allowConnections(false);
      process.kill(doomed, 'SIGKILL');
      // Its replacement cannot reach the database: it fails to boot, and is tried again, without taking the primary down.
      await until(() => failedBoots() >= 2, 60_000);
      expect(server.child.exitCode).toBeNull();
      const answers = await Promise.all(Array.from({ length: 10 }, () => fetch(`${server.baseUrl}/health`).then((reply) => reply.status)));
      expect(new Set(answers)).toEqual(new Set([200]));
      await allowConnections(true);
      await until(() => listening() === 3, 60_000);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      await allowConnections(true);
      await db.drop();
    }
  }, 120_000);
});

describe('listen address (HOST)', () => {
  it('listens only where HOST says', async () => {
    const db = await createTestDatabase();
    try {
      const server = await startServerProcess({ NODE_ENV: 'test', DATABASE_URL: db.url, ADMIN_TOKEN, HOST: '127.0.0.2' });
      const port = new URL(server.baseUrl).port;
      expect((await fetch(`http://127.0.0.2:${port}/health`)).status).toBe(200);
      expect(await fetch(`http://127.0.0.1:${port}/health`).then(() => 'answered', () => 'refused')).toBe('refused');
      server.child.kill('SIGTERM');
      await server.exited;
    } finally {
      await db.drop();
    }
  }, 60_000);
});

