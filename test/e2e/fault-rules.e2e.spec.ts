import { randomUUID } from 'node:crypto';
import { balanceOf, fundedWallet, ledgerIsBalanced } from '../support/fixtures';
import { Credentials, Reply, startTestApp, TestApp, withKey } from '../support/test-app';
import { untilLogged } from '../support/request-log';
import { callHeldOpen, until } from '../support/poll';
import { ArmedClients } from '../../src/sandbox/armed-clients';

/** A Starship order (the guide's body): 5 × USD 100.00. */
const STARSHIP_ORDER = { product_id: 123, denomination: 100, quantity: 5 };

describe('sandbox fault rules', () => {
  let a: TestApp;
  let b: TestApp;
  let alice: Credentials;
  let bob: Credentials;
  let alicesWallet: string;

  beforeAll(async () => {
    a = await startTestApp({ PAYOUT_SETTLE_DELAY_MS: '0' });
    // A second instance on the same database: rules are armed on one and spent on either.
    b = await startTestApp({ PAYOUT_SETTLE_DELAY_MS: '0' }, { database: a.db });
    alice = await a.newClient('alice');
    bob = await a.newClient('bob');
    alicesWallet = await fundedWallet(a, alice, 'USD', 100_000_000);
    await fundedWallet(a, bob, 'USD', 100_000_000);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const arm = (t: TestApp, who: Credentials, rule: Record<string, unknown>) => t.request('POST', '/v1/sandbox/fault-rules', { headers: who.headers, body: rule });
  /**
   * Arms a request fault and waits until both instances would ask the database for it. Between the armed
   * answer and that, an instance busy elsewhere may not have read the announcement yet: the gap docs/console.md describes.
   */
  const armBoth = async (who: Credentials, rule: Record<string, unknown>) => {
    const reply = await arm(a, who, rule);
    expect(reply.status).toBe(201);
    await until(() => [a, b].every((instance) => instance.app.get(ArmedClients).mayHaveArmed(who.clientId)));
    return reply;
  };
  const starshipOrder = (t: TestApp, who: Credentials, key: string) => t.request('POST', '/api/v1/orders', { headers: withKey(who.headers, key), body: STARSHIP_ORDER });
  const rules = async (t: TestApp, who: Credentials) => (await t.request('GET', '/v1/sandbox/fault-rules', { headers: who.headers })).json.data;
  const disarmAll = async (who: Credentials) => {
    for (const rule of await rules(a, who)) await a.request('DELETE', `/v1/sandbox/fault-rules/${rule.id}`, { headers: who.headers });
  };
  afterEach(async () => {
    await disarmAll(alice);
    await disarmAll(bob);
  });

  it('drops the answer of the next matching order with no header; the retry gets the replay; the rule is spent', async () => {
    const armed = await armBoth(alice, { fault: 'drop-response', endpoint: 'POST /api/v1/orders', times: 1 });
    expect(armed.status).toBe(201);
    expect(armed.json).toEqual({ id: expect.any(String), fault: 'drop-response', endpoint: 'POST /api/v1/orders', key_prefix: null, remaining: 1, created_at: expect.any(String) });
    const before = await balanceOf(a, alice, alicesWallet);

    const key = `ord_${randomUUID()}`;
    // Over a real connection, which the sandbox closes without an answer.
    await b.app.listen(0, '127.0.0.1');
    const { port } = b.app.getHttpServer().address() as { port: number };
    const dropped = await fetch(`http://127.0.0.1:${port}/api/v1/orders`, {
      method: 'POST',
      headers: { ...withKey(alice.headers, key), 'content-type': 'application/json' },
      body: JSON.stringify(STARSHIP_ORDER),
    }).then(
      (response) => `answered ${response.status}`,
      (error: Error) => error.message,
    );
    expect(dropped).toBe('fetch failed');
    const retried = await starshipOrder(b, alice, key);
    expect([retried.status, retried.headers['idempotency-replayed']]).toEqual([201, 'true']);
    expect(await balanceOf(a, alice, alicesWallet)).toBe(before - 50_000);
    expect((await rules(a, alice)).map((rule: { remaining: number }) => rule.remaining)).toEqual([0]);

    const log = await untilLogged(b, alice, `?idempotency_key=${key}`, (reply) => reply.json.data?.length === 2);
    expect(log.json.data.map((e: Record<string, unknown>) => [e.idempotency_outcome, e.status, e.sandbox_fault])).toEqual([
      ['replayed', 201, null],
      ['executed', null, 'drop-response'],
    ]);
  });

  it('gives the fault only to keys with the prefix, and to routes sharing the rule endpoint’s key scope', async () => {
    await armBoth(alice, { fault: 'fail-before-commit', endpoint: 'POST /v1/orders', key_prefix: 'flaky_', times: 2 });
    const plain = await starshipOrder(a, alice, `ord_${randomUUID()}`);
    expect(plain.status).toBe(201);
    const flakyKey = `flaky_${randomUUID()}`;
    const failed = [await starshipOrder(a, alice, flakyKey), await starshipOrder(b, alice, flakyKey)];
    expect(failed.map((reply) => [reply.status, reply.json.error.code])).toEqual([
      [500, 'INTERNAL_ERROR'],
      [500, 'INTERNAL_ERROR'],
    ]);
    const third = await starshipOrder(a, alice, flakyKey);
    expect([third.status, third.headers['idempotency-replayed']]).toEqual([201, 'false']);
    expect((await rules(a, alice))[0].remaining).toBe(0);
  });

  it('holds the transaction open for a delay rule', async () => {
    // Long enough that polling every 50 ms sees the transaction held.
    await armBoth(alice, { fault: 'delay=1000', times: 1 });
    const [heldKey, nextKey] = [`ord_${randomUUID()}`, `ord_${randomUUID()}`];
    const held = starshipOrder(b, alice, heldKey);
    await until(() => callHeldOpen(a.db, 'place_order'));
    // Held open after its call ran, the rule already spent by it.
    expect((await rules(a, alice)).map((rule: { remaining: number }) => rule.remaining)).toEqual([0]);
    expect((await held).status).toBe(201);
    expect((await starshipOrder(b, alice, nextKey)).status).toBe(201);
    const faultOf = async (key: string) =>
      (await untilLogged(b, alice, `?idempotency_key=${key}`, (reply) => reply.json.data?.length === 1)).json.data[0].sandbox_fault;
    expect([await faultOf(heldKey), await faultOf(nextKey)]).toEqual(['delay=1000', null]);
  });

  it('is spent exactly `times` times by concurrent requests on two instances', async () => {
    for (const times of [1, 2]) {
      await armBoth(alice, { fault: 'fail-before-commit', endpoint: 'POST /api/v1/orders', times });
      const replies = await Promise.all(Array.from({ length: 16 }, (_, i) => starshipOrder(i % 2 ? a : b, alice, `ord_${randomUUID()}`)));
      const statuses = replies.map((reply) => reply.status);
      expect([times, statuses.filter((status) => status === 500).length, statuses.filter((status) => status === 201).length]).toEqual([times, times, 16 - times]);
      await disarmAll(alice);
    }
  });

  it('reaches an instance whose announcements were cut: it asks the database until it listens again', async () => {
    const cut = await a.db.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ledgerline-sandbox'`,
    );
    // One listening session per instance, both ended.
    expect(cut.map((row) => row.terminated)).toEqual([true, true]);
    // A client never armed counts as armed on b only while b is not listening.
    const bDeaf = () => b.app.get(ArmedClients).mayHaveArmed(randomUUID());
    await until(bDeaf);
    expect((await arm(a, alice, { fault: 'fail-before-commit', times: 1 })).status).toBe(201);
    // Sent within the second before b listens again (and reloads), so the database answers b, not an announcement.
    expect((await starshipOrder(b, alice, `ord_${randomUUID()}`)).status).toBe(500);
    expect((await starshipOrder(b, alice, `ord_${randomUUID()}`)).status).toBe(201);
  });

  it('keeps each client’s rules to itself: no fault for bob, and alice’s rule is 404 to him', async () => {
    const armed = await armBoth(alice, { fault: 'fail-before-commit', times: 1 });
    expect((await starshipOrder(b, bob, `ord_${randomUUID()}`)).status).toBe(201);
    expect(await rules(a, bob)).toEqual([]);
    const deleted = await a.request('DELETE', `/v1/sandbox/fault-rules/${armed.json.id}`, { headers: bob.headers });
    expect([deleted.status, deleted.json.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await rules(a, alice))[0].remaining).toBe(1);
    expect((await a.request('DELETE', `/v1/sandbox/fault-rules/${armed.json.id}`, { headers: alice.headers })).status).toBe(204);
    expect((await starshipOrder(b, alice, `ord_${randomUUID()}`)).status).toBe(201);
  });

  it('rejects the next payout at the rail for rail-reject, refunded once; the one after settles', async () => {
    await arm(a, alice, { fault: 'rail-reject', times: 1 });
    const before = await balanceOf(a, alice, alicesWallet);
    const payout = () =>
      a.request('POST', '/v1/payouts', {
        headers: withKey(alice.headers),
        body: { wallet_id: alicesWallet, amount: 700, destination: { type: 'bank_account', account_number: 'DE89370400440532013000' } },
      });
    const settled = async (reply: Reply) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const read = await a.request('GET', `/v1/payouts/${reply.json.id}`, { headers: alice.headers });
        if (read.json.status !== 'PENDING') return read.json;
        if (Date.now() > deadline) throw new Error('the payout never settled');
        await new Promise((done) => setTimeout(done, 100));
      }
    };
    const rejected = await settled(await payout());
    expect([rejected.status, rejected.failure_reason]).toEqual(['FAILED', expect.stringMatching(/^REJECTED_BY_RAIL/)]);
    expect((await settled(await payout())).status).toBe('COMPLETED');
    expect(await balanceOf(a, alice, alicesWallet)).toBe(before - 700);
    expect((await rules(a, alice))[0].remaining).toBe(0);
    expect(await ledgerIsBalanced(a)).toBe(true);
  });

  it('refuses bad rules with 400 in the envelope, and arms nothing', async () => {
    for (const rule of [
      { fault: 'explode', times: 1 },
      { fault: 'delay=30001', times: 1 },
      { fault: 'delay=-1', times: 1 },
      { fault: 'drop-response', times: 0 },
      { fault: 'drop-response', times: 101 },
      { fault: 'drop-response', times: 1.5 },
      { fault: 'drop-response' },
      { fault: 'drop-response', times: 1, endpoint: 'orders' },
      { fault: 'drop-response', times: 1, endpoint: 'GET /v1/orders' },
      { fault: 'drop-response', times: 1, endpoint: 'POST /v1/nowhere' },
      { fault: 'drop-response', times: 1, key_prefix: '' },
      { fault: 'drop-response', times: 1, key_prefix: 'has space' },
      { fault: 'rail-reject', times: 1, endpoint: 'POST /v1/payouts' },
      { fault: 'drop-response', times: 1, extra: true },
    ]) {
      const reply = await arm(a, alice, rule);
      expect([JSON.stringify(rule), reply.status, reply.json.error.code]).toEqual([JSON.stringify(rule), 400, 'VALIDATION_ERROR']);
    }
    const badCursor = await a.request('GET', '/v1/sandbox/fault-rules?cursor=bm9wZQ', { headers: alice.headers });
    expect([badCursor.status, badCursor.json.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect((await a.request('DELETE', '/v1/sandbox/fault-rules/nope', { headers: alice.headers })).status).toBe(400);
    expect(await rules(a, alice)).toEqual([]);
  });

  it('holds at most 20 armed rules per client, also against rules created at once', async () => {
    for (let i = 0; i < 12; i++) expect((await arm(a, alice, { fault: 'delay=1', endpoint: 'POST /v1/transfers', times: 1 })).status).toBe(201);
    // Each creation counts the armed rules; without taking turns, all 16 counted 12 and armed.
    const atOnce = await Promise.all(Array.from({ length: 16 }, () => arm(a, alice, { fault: 'delay=1', endpoint: 'POST /v1/transfers', times: 1 })));
    expect(atOnce.map((reply) => reply.status).sort()).toEqual([...Array(8).fill(201), ...Array(8).fill(422)]);
    expect(atOnce.filter((reply) => reply.status === 422).map((reply) => reply.json.error.code)).toEqual(Array(8).fill('TOO_MANY_FAULT_RULES'));
    expect(await a.db.query('SELECT 1 FROM sandbox_fault_rules WHERE client_id = $1 AND remaining > 0', [alice.clientId])).toHaveLength(20);
    const over = await arm(a, alice, { fault: 'delay=1', times: 1 });
    expect([over.status, over.json.error.code]).toEqual([422, 'TOO_MANY_FAULT_RULES']);
  });
});

describe('fault rules in production', () => {
  it('do not exist (404), even with the console on', async () => {
    const t = await startTestApp({ NODE_ENV: 'production', CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64'), CONSOLE_ENABLED: 'true' });
    try {
      const who = await t.newClient();
      for (const [method, url] of [['GET', '/v1/sandbox/fault-rules'], ['POST', '/v1/sandbox/fault-rules'], ['DELETE', `/v1/sandbox/fault-rules/${randomUUID()}`]]) {
        const reply = await t.request(method, url, { headers: who.headers, body: method === 'POST' ? { fault: 'drop-response', times: 1 } : undefined });
        expect([method, reply.status]).toEqual([method, 404]);
      }
      // Nothing is looked at first: an invalid rule, or no credentials, is 404 too.
      expect((await t.request('POST', '/v1/sandbox/fault-rules', { headers: who.headers, body: { fault: 'nonsense' } })).status).toBe(404);
      expect((await t.request('GET', '/v1/sandbox/fault-rules')).status).toBe(404);
      expect((await t.request('GET', '/v1/requests', { headers: who.headers })).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
