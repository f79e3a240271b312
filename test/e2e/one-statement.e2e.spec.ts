import { randomUUID } from 'node:crypto';
import { balanceOf, fundedWallet, ledgerIsBalanced, whileWalletLocked } from '../support/fixtures';
import { recordStatements } from '../support/round-trips';
import { Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

const LOCK_WAIT_MS = 1000;
const firstWords = (statements: string[]) => statements.map((s) => s.split(' ').slice(0, 2).join(' '));

/**
 * A first-time order claims its key, makes its effect and records its response in one statement
 * (docs/idempotency.md, "One statement"). Whatever that statement does not settle must leave
 * nothing behind and be decided by the transactional path, with the same answers as before.
 */
describe('orders in one statement', () => {
  let t: TestApp;
  let alice: Credentials;

  beforeAll(async () => {
    t = await startTestApp({ IDEMPOTENCY_LOCK_WAIT_MS: String(LOCK_WAIT_MS) });
    alice = await t.newClient('alice');
  });
  afterAll(() => t.close());

  const order = (walletId: string, denomination = 1000) => ({ wallet_id: walletId, product_id: 123, denomination, quantity: 1 });
  const place = (walletId: string, headers: Record<string, string>, denomination?: number) =>
    t.request('POST', '/v1/orders', { headers, body: order(walletId, denomination) });
  const ordersOf = async (walletId: string) => (await t.db.query('SELECT id FROM orders WHERE wallet_id = $1', [walletId])).length;
  const entriesOf = (walletId: string) =>
    t.db.query<{ amount: string; balance_after: string }>('SELECT amount, balance_after FROM ledger_entries WHERE wallet_id = $1 ORDER BY id', [walletId]);
  const recordOf = async (key: string) =>
    (await t.db.query<{ response_status: number; response_body: string }>('SELECT response_status, response_body FROM idempotency_keys WHERE key = $1', [key]))[0];

  it('writes what the transactional path writes: the order, both ledger entries and the recorded response', async () => {
    const walletId = await fundedWallet(t, alice, 'USD', 5000);
    const key = randomUUID();
    let reply = await place(walletId, withKey(alice.headers, key));
    const sent = await recordStatements(async () => (reply = await place(walletId, withKey(alice.headers))));
    expect(firstWords(sent)).toEqual(['WITH bounded']);

    // The same order through the transactional path (a sandbox fault needs its steps).
    const viaTransaction = await place(walletId, { ...withKey(alice.headers), 'x-sandbox-fault': 'delay=0' });
    expect([reply.status, viaTransaction.status]).toEqual([201, 201]);
    expect(Object.keys(reply.json)).toEqual(Object.keys(viaTransaction.json));
    expect(reply.headers['idempotency-replayed']).toBe('false');
    expect(await ordersOf(walletId)).toBe(3);
    expect((await entriesOf(walletId)).map((e) => [e.amount, e.balance_after])).toEqual([
      ['5000', '5000'],
      ['-1000', '4000'],
      ['-1000', '3000'],
      ['-1000', '2000'],
    ]);
    expect(await balanceOf(t, alice, walletId)).toBe(2000);
    expect(await recordOf(key)).toEqual({ response_status: 201, response_body: (await place(walletId, withKey(alice.headers, key))).body });
    const stored = await t.request('GET', `/v1/orders/${reply.json.id}`, { headers: alice.headers });
    expect(stored.json).toEqual(reply.json);
    expect(await ledgerIsBalanced(t)).toBe(true);
  });

  it('undoes itself when the effect is refused; the refusal is recorded by the transactional path', async () => {
    const walletId = await fundedWallet(t, alice, 'USD', 500);
    const key = randomUUID();
    let refused = await place(walletId, withKey(alice.headers, key));
    const retried = await recordStatements(async () => (refused = await place(walletId, withKey(alice.headers))));
    // The one statement, undone by effect_refused(); then the transactional path, which rolls
    // back its own attempt and records the answer under a new claim.
    expect(firstWords(retried).slice(0, 2)).toEqual(['WITH bounded', 'START TRANSACTION']);
    expect(refused.status).toBe(422);
    expect(refused.json.error.code).toBe('INSUFFICIENT_FUNDS');

    const first = await place(walletId, withKey(alice.headers, key));
    expect(first.headers['idempotency-replayed']).toBe('true');
    expect((await recordOf(key)).response_status).toBe(422);
    expect(await balanceOf(t, alice, walletId)).toBe(500);
    expect(await ordersOf(walletId)).toBe(0);
    expect(await entriesOf(walletId)).toHaveLength(1);
  });

  it('waits on a duplicate in flight at most IDEMPOTENCY_LOCK_WAIT_MS once, then answers IDEMPOTENCY_KEY_IN_USE', async () => {
    const walletId = await fundedWallet(t, alice, 'USD', 5000);
    const key = randomUUID();
    // The first holds its claim in an open transaction (the delay fault takes the transactional path).
    const held = place(walletId, { ...withKey(alice.headers, key), 'x-sandbox-fault': 'delay=2500' });
    await new Promise((done) => setTimeout(done, 200));
    const waitedFrom = Date.now();
    const duplicate = await place(walletId, withKey(alice.headers, key));
    const waited = Date.now() - waitedFrom;
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.error.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(waited).toBeGreaterThanOrEqual(LOCK_WAIT_MS - 100);
    expect(waited).toBeLessThan(2 * LOCK_WAIT_MS);
    expect((await held).status).toBe(201);
    expect(await ordersOf(walletId)).toBe(1);
  });

  it('answers RESOURCE_BUSY when the wallet stays locked, waiting once, and keeps nothing', async () => {
    const walletId = await fundedWallet(t, alice, 'USD', 5000);
    const key = randomUUID();
    await whileWalletLocked(t, walletId, async () => {
      const waitedFrom = Date.now();
      const busy = await place(walletId, withKey(alice.headers, key));
      const waited = Date.now() - waitedFrom;
      expect(busy.status).toBe(409);
      expect(busy.json.error.code).toBe('RESOURCE_BUSY');
      expect(waited).toBeLessThan(2 * LOCK_WAIT_MS);
    });
    expect(await recordOf(key)).toBeUndefined();
    const retry = await place(walletId, withKey(alice.headers, key));
    expect([retry.status, retry.headers['idempotency-replayed']]).toEqual([201, 'false']);
    expect(await balanceOf(t, alice, walletId)).toBe(4000);
  });

  it('leaves a client with order.completed subscribers to the transactional path, which writes the event', async () => {
    const bob = await t.newClient('bob');
    const walletId = await fundedWallet(t, bob, 'USD', 5000);
    const webhook = await t.request('POST', '/v1/webhooks', { headers: bob.headers, body: { url: 'http://127.0.0.1:9/hook', events: ['order.completed'] } });
    expect(webhook.status).toBe(201);
    let placed = await place(walletId, withKey(bob.headers));
    const sent = await recordStatements(async () => (placed = await place(walletId, withKey(bob.headers))));
    expect(firstWords(sent).slice(0, 2)).toEqual(['WITH bounded', 'START TRANSACTION']);
    expect(placed.status).toBe(201);
    const events = await t.db.query<{ data: { id: string } }>(`SELECT data FROM webhook_events WHERE type = 'order.completed' AND client_id = $1`, [bob.clientId]);
    expect(events.map((e) => e.data.id)).toContain(placed.json.id);
    expect(events).toHaveLength(2);
    expect(await balanceOf(t, bob, walletId)).toBe(3000);
  });

  it('replays a key taken before it began from what the same statement read, and answers a changed request with 422', async () => {
    const walletId = await fundedWallet(t, alice, 'USD', 5000);
    const key = randomUUID();
    const first = await place(walletId, withKey(alice.headers, key));
    let replay = first;
    const sent = await recordStatements(async () => (replay = await place(walletId, withKey(alice.headers, key))));
    expect(firstWords(sent)).toEqual(['WITH bounded']);
    expect([replay.status, replay.body, replay.headers['idempotency-replayed']]).toEqual([201, first.body, 'true']);
    expect(replay.headers['idempotency-created-at']).toBe(first.headers['idempotency-created-at']);

    const otherKey = randomUUID();
    await place(walletId, withKey(alice.headers, otherKey));
    let reused = first;
    const reusedSent = await recordStatements(async () => (reused = await place(walletId, withKey(alice.headers, otherKey), 2500)));
    expect(firstWords(reusedSent)).toEqual(['WITH bounded']);
    expect([reused.status, reused.json.error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await balanceOf(t, alice, walletId)).toBe(3000);
    expect(await ordersOf(walletId)).toBe(2);
  });

  it('turns 100 concurrent identical orders into one debit and identical bodies', async () => {
    const walletId = await fundedWallet(t, alice, 'USD', 5000);
    const key = randomUUID();
    const replies = await Promise.all(Array.from({ length: 100 }, () => place(walletId, withKey(alice.headers, key))));
    expect(new Set(replies.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(replies.map((r) => r.body)).size).toBe(1);
    expect(replies.filter((r) => r.headers['idempotency-replayed'] === 'false')).toHaveLength(1);
    expect(await balanceOf(t, alice, walletId)).toBe(4000);
    expect(await ordersOf(walletId)).toBe(1);
  });
});
