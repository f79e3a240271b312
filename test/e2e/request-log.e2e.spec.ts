import { randomUUID } from 'node:crypto';
import { ConsoleSweeper } from '../../src/console/console-sweeper';
import { fundedWallet } from '../support/fixtures';
import { untilLogged } from '../support/request-log';
import { Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

describe('the request log', () => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;
  let wallet: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.newClient('alice');
    bob = await t.newClient('bob');
    wallet = await fundedWallet(t, alice, 'USD', 1_000_000);
  });
  afterAll(() => t.close());

  const order = (key: string, quantity = 1) =>
    t.request('POST', '/v1/orders', { headers: { ...withKey(alice.headers, key), 'x-request-id': `req-${randomUUID()}` }, body: { wallet_id: wallet, product_id: 123, denomination: 1000, quantity } });

  it('keeps every attempt under a key, newest first, with its outcome, status, bodies and request id', async () => {
    const key = `ord_${randomUUID()}`;
    const executed = await order(key);
    const replayed = await order(key);
    const reused = await order(key, 2);
    expect([executed.status, replayed.status, reused.status]).toEqual([201, 201, 422]);

    const log = await untilLogged(t, alice, `?idempotency_key=${key}`, (reply) => reply.json.data?.length === 3);
    expect(log.status).toBe(200);
    expect(log.json.data.map((e: { idempotency_outcome: string }) => e.idempotency_outcome)).toEqual(['reused', 'replayed', 'executed']);
    const [, , first] = log.json.data;
    expect(first).toEqual({
      id: executed.headers['x-request-id'],
      method: 'POST',
      route: '/v1/orders',
      path: '/v1/orders',
      status: 201,
      idempotency_key: key,
      idempotency_outcome: 'executed',
      sandbox_fault: null,
      duration_ms: expect.any(Number),
      request_body: JSON.stringify({ wallet_id: wallet, product_id: 123, denomination: 1000, quantity: 1 }),
      response_body: executed.body,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(first.duration_ms).toBeGreaterThan(0);
    expect(log.json.data[1].response_body).toBe(executed.body);
    expect(log.json.data[0].status).toBe(422);

    const one = await t.request('GET', `/v1/requests/${executed.headers['x-request-id']}`, { headers: alice.headers });
    expect(one.json).toEqual(first);
  });

  it('keeps reads and refusals too, and filters by status class, exact status and route', async () => {
    await t.request('GET', `/v1/wallets/${wallet}`, { headers: alice.headers });
    const missing = await t.request('GET', `/v1/wallets/${randomUUID()}`, { headers: alice.headers });
    expect(missing.status).toBe(404);
    const notFound = await untilLogged(t, alice, '?status=404', (reply) => reply.json.data?.length >= 1);
    expect(notFound.json.data.every((e: { status: number }) => e.status === 404)).toBe(true);
    const clientErrors = await t.request('GET', '/v1/requests?status=4xx', { headers: alice.headers });
    // The 404 is logged by now (above), so an empty list would mean the filter lost it.
    expect(clientErrors.json.data.map((e: { id: string }) => e.id)).toContain(missing.headers['x-request-id']);
    expect(clientErrors.json.data.map((e: { status: number }) => Math.floor(e.status / 100))).toEqual(clientErrors.json.data.map(() => 4));
    const reads = await t.request('GET', '/v1/requests?route=/v1/wallets/:id', { headers: alice.headers });
    expect(reads.json.data.length).toBeGreaterThanOrEqual(2);
    expect(reads.json.data.every((e: { route: string; method: string }) => e.route === '/v1/wallets/:id' && e.method === 'GET')).toBe(true);
  });

  it('pages newest first with a cursor', async () => {
    for (let i = 0; i < 3; i++) await t.request('GET', '/v1/products', { headers: alice.headers });
    const all = await untilLogged(t, alice, '?route=/v1/products', (reply) => reply.json.data?.length === 3);
    const first = await t.request('GET', '/v1/requests?route=/v1/products&limit=2', { headers: alice.headers });
    expect(first.json.data).toHaveLength(2);
    const second = await t.request('GET', `/v1/requests?route=/v1/products&limit=2&cursor=${first.json.next_cursor}`, { headers: alice.headers });
    expect([...first.json.data, ...second.json.data]).toEqual(all.json.data);
    expect(second.json.next_cursor).toBeNull();
    const times = all.json.data.map((e: { created_at: string }) => e.created_at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('never keeps a secret: a webhook registration is logged with its secret redacted', async () => {
    const registered = await t.request('POST', '/v1/webhooks', { headers: alice.headers, body: { url: 'http://127.0.0.1:9/hook', events: ['order.completed'] } });
    expect(registered.status).toBe(201);
    const log = await untilLogged(t, alice, '?route=/v1/webhooks', (reply) => reply.json.data?.length === 1);
    const [entry] = log.json.data;
    expect(JSON.parse(entry.response_body)).toEqual({ ...registered.json, secret: '[redacted]' });
    expect(JSON.stringify(log.json)).not.toContain(registered.json.secret);
    expect(JSON.stringify(log.json)).not.toContain(alice.headers['x-api-secret']);
  });

  it('shows each client only its own requests', async () => {
    const key = `ord_${randomUUID()}`;
    const alicesOrder = await order(key);
    await untilLogged(t, alice, `?idempotency_key=${key}`, (reply) => reply.json.data?.length === 1);
    expect((await t.request('GET', `/v1/requests?idempotency_key=${key}`, { headers: bob.headers })).json).toEqual({ data: [], next_cursor: null });
    const other = await t.request('GET', `/v1/requests/${alicesOrder.headers['x-request-id']}`, { headers: bob.headers });
    expect([other.status, other.json.error.code]).toEqual([404, 'NOT_FOUND']);
    const bobs = await t.request('GET', '/v1/requests?limit=100', { headers: bob.headers });
    expect(bobs.json.data.every((e: { idempotency_key: string | null }) => e.idempotency_key !== key)).toBe(true);
  });

  it('refuses malformed filters and cursors with 400 in the envelope', async () => {
    for (const query of ['?status=abc', '?status=600', '?status=4x', '?route=v1/orders', '?idempotency_key=has%20space', '?cursor=bm90LWEtdXVpZA', '?limit=0']) {
      const reply = await t.request('GET', `/v1/requests${query}`, { headers: alice.headers });
      expect([query, reply.status, reply.json.error.code]).toEqual([query, 400, 'VALIDATION_ERROR']);
    }
    const badId = await t.request('GET', '/v1/requests/not%20an%20id', { headers: alice.headers });
    expect([badId.status, badId.json.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect((await t.request('GET', '/v1/requests')).status).toBe(401);
  });

  it('is swept after REQUEST_LOG_TTL_SECONDS, with fault rules spent as long ago and expired sessions', async () => {
    const key = `ord_${randomUUID()}`;
    await order(key);
    await untilLogged(t, alice, `?idempotency_key=${key}`, (reply) => reply.json.data?.length === 1);
    const week = "now() - interval '8 days'";
    await t.db.query(
      `INSERT INTO request_log (client_id, entry_id, request_id, method, route, path, status, duration_ms, created_at)
       VALUES ($1, $2, 'old-request', 'GET', '/v1/products', '/v1/products', 200, 1, ${week})`,
      [alice.clientId, randomUUID()],
    );
    await t.db.query(
      `INSERT INTO sandbox_fault_rules (client_id, id, fault, times, remaining, created_at, spent_at) VALUES ($1, $2, 'drop-response', 1, 0, ${week}, ${week})`,
      [alice.clientId, randomUUID()],
    );
    await t.db.query(`INSERT INTO console_sessions (client_id, token_hash, created_at, expires_at) VALUES ($1, '\\x00', ${week}, now() - interval '1 second')`, [alice.clientId]);

    expect(await t.app.get(ConsoleSweeper).sweep()).toBe(3);
    expect((await t.request('GET', '/v1/requests/old-request', { headers: alice.headers })).status).toBe(404);
    expect((await t.request('GET', `/v1/requests?idempotency_key=${key}`, { headers: alice.headers })).json.data).toHaveLength(1);
    expect(await t.db.query('SELECT 1 FROM sandbox_fault_rules UNION ALL SELECT 1 FROM console_sessions')).toEqual([]);
  });
});
