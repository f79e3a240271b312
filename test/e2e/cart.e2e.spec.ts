import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { balanceOf, fundedWallet, ledgerIsBalanced } from '../support/fixtures';
import { callHeldOpen, until } from '../support/poll';
import { recordStatements } from '../support/round-trips';
import { Credentials, Reply, startTestApp, TestApp, withKey } from '../support/test-app';

/** Starship's client-portal cart: lines priced when added, one currency, a checkout that orders every line under one key. */
describe('client portal cart', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const addLine = (who: Credentials, line: { product_id: number; denomination: number; quantity: number }) =>
    t.request('POST', '/client/api/cart/items', { headers: who.headers, body: line });
  const cartOf = async (who: Credentials) => (await t.request('GET', '/client/api/cart', { headers: who.headers })).json;
  const checkOut = (who: Credentials, key: string | undefined, body: unknown = {}, headers: Record<string, string> = {}) =>
    t.request('POST', '/client/api/cart/checkout', { headers: { ...(key === undefined ? who.headers : withKey(who.headers, key)), ...headers }, body });
  const ordersOf = (clientId: string) => t.db.query<{ id: string }>('SELECT id FROM orders WHERE client_id = $1', [clientId]);

  it('adds lines priced in minor units, lists them with their total and version, and removes one; another client’s line is 404', async () => {
    const alice = await t.newClient('alice');
    const bob = await t.newClient('bob');
    const first = await addLine(alice, { product_id: 123, denomination: 25, quantity: 2 });
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ id: expect.any(String), product_id: 123, denomination: 2500, quantity: 2, amount: 5000, currency: 'USD', created_at: expect.any(String) });
    const second = await addLine(alice, { product_id: 123, denomination: 100, quantity: 1 });
    expect(await cartOf(alice)).toEqual({ currency: 'USD', version: 2, amount: 15_000, items: [first.json, second.json] });

    expect((await t.request('DELETE', `/client/api/cart/items/${first.json.id}`, { headers: bob.headers })).status).toBe(404);
    const removed = await t.request('DELETE', `/client/api/cart/items/${first.json.id}`, { headers: alice.headers });
    expect([removed.status, removed.body]).toEqual([204, '']);
    const again = await t.request('DELETE', `/client/api/cart/items/${first.json.id}`, { headers: alice.headers });
    expect([again.status, again.json.error.code, again.json.message]).toEqual([404, 'NOT_FOUND', 'Cart item not found']);
    expect(await cartOf(alice)).toEqual({ currency: 'USD', version: 3, amount: 10_000, items: [second.json] });
    expect(await cartOf(bob)).toEqual({ currency: null, version: 0, amount: 0, items: [] });

    const unoffered = await addLine(alice, { product_id: 123, denomination: 7, quantity: 1 });
    expect([unoffered.status, unoffered.json.error.code, unoffered.json.error.details[0].field]).toEqual([400, 'VALIDATION_ERROR', 'denomination']);
    const unknown = await addLine(alice, { product_id: 999, denomination: 10, quantity: 1 });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'NOT_FOUND']);
    const malformed = await t.request('DELETE', '/client/api/cart/items/not-an-id', { headers: alice.headers });
    expect(malformed.status).toBe(400);
    expect((await cartOf(alice)).items).toEqual([second.json]);
  });

  it('holds one currency: a line in another is refused while the cart holds any, accepted once it is empty', async () => {
    const alice = await t.newClient('alice');
    const usd = await addLine(alice, { product_id: 123, denomination: 10, quantity: 1 });
    const eur = await addLine(alice, { product_id: 124, denomination: 15, quantity: 1 });
    expect([eur.status, eur.json.error.code]).toEqual([422, 'CURRENCY_MISMATCH']);
    expect(eur.json.message).toMatch(/one currency/);
    await t.request('DELETE', `/client/api/cart/items/${usd.json.id}`, { headers: alice.headers });
    const eurNow = await addLine(alice, { product_id: 124, denomination: 15, quantity: 1 });
    expect([eurNow.status, eurNow.json.currency, eurNow.json.amount]).toEqual([201, 'EUR', 1500]);
    expect((await cartOf(alice)).currency).toBe('EUR');
  });

  it('checks out every line in one call: one debit, an order per line under its id, their events, and an empty cart; a retry replays it', async () => {
    const alice = await t.newClient('alice');
    const usd = await fundedWallet(t, alice, 'USD', 100_000);
    // A receiver that takes every delivery at once: no retry of the worker's may land in a later test's counted window.
    const receiver = createServer((_request, response) => response.end());
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    const hook = await t.request('POST', '/v1/webhooks', { headers: alice.headers, body: { url: hookUrl, events: ['order.completed'] } });
    expect(hook.status).toBe(201);
    const lines = [
      (await addLine(alice, { product_id: 123, denomination: 25, quantity: 2 })).json,
      (await addLine(alice, { product_id: 123, denomination: 100, quantity: 1 })).json,
    ];
    const { version } = await cartOf(alice);

    const key = 'cart_abc123_1705689660';
    let checkout: Reply | undefined;
    const sent = await recordStatements(t, async () => (checkout = await checkOut(alice, key)));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^SELECT outcome, refusal, status, body, created_at, lifetime_ms FROM checkout_cart\(/);
    expect(checkout!.status).toBe(201);
    expect(checkout!.headers['idempotency-replayed']).toBe('false');
    expect(checkout!.json).toEqual({
      id: expect.any(String),
      status: 'COMPLETED',
      amount: 15_000,
      currency: 'USD',
      orders: lines.map((line) => ({
        id: line.id,
        client_order_id: null,
        status: 'COMPLETED',
        wallet_id: usd,
        product_id: 123,
        quantity: line.quantity,
        denomination: line.denomination,
        receiver: null,
        amount: line.amount,
        currency: 'USD',
        metadata: null,
        created_at: expect.any(String),
      })),
    });
    // Each order is the one GET /v1/orders/:id shows, byte for byte.
    for (const order of checkout!.json.orders) {
      const read = await t.request('GET', `/v1/orders/${order.id}`, { headers: alice.headers });
      expect(checkout!.body).toContain(read.body);
    }
    expect(await balanceOf(t, alice, usd)).toBe(85_000);
    expect(await cartOf(alice)).toEqual({ currency: 'USD', version: version + 1, amount: 0, items: [] });
    const events = await t.db.query<{ data: unknown }>(`SELECT data FROM webhook_events WHERE client_id = $1 AND type = 'order.completed' ORDER BY data->>'id'`, [alice.clientId]);
    expect(events.map((event) => event.data)).toEqual(checkout!.json.orders);
    const entries = await t.db.query<{ amount: string; balance_after: string }>(
      `SELECT amount::text, balance_after::text FROM ledger_entries WHERE wallet_id = $1 AND type = 'ORDER' ORDER BY id`,
      [usd],
    );
    expect(entries).toEqual([{ amount: '-5000', balance_after: '95000' }, { amount: '-10000', balance_after: '85000' }]);

    const retry = await checkOut(alice, key);
    expect([retry.status, retry.body, retry.headers['idempotency-replayed']]).toEqual([201, checkout!.body, 'true']);
    const changed = await checkOut(alice, key, { wallet_id: usd });
    expect([changed.status, changed.json.code]).toEqual([422, 'E_IDEMPOTENCY_KEY_REUSED']);
    expect(await balanceOf(t, alice, usd)).toBe(85_000);
    expect(await ordersOf(alice.clientId)).toHaveLength(2);
    expect(await ledgerIsBalanced(t)).toBe(true);
    await until(async () => (await t.db.query(`SELECT 1 FROM pgboss.job WHERE name = 'webhook-delivery' AND state < 'completed' AND data ->> 'clientId' = $1`, [alice.clientId])).length === 0);
    receiver.close();
  });

  it('refuses an empty cart, and a cart the wallet cannot pay, leaving it as it was; both in one call and recorded', async () => {
    const alice = await t.newClient('alice');
    const usd = await fundedWallet(t, alice, 'USD', 1_000);
    let empty: Reply | undefined;
    expect(await recordStatements(t, async () => (empty = await checkOut(alice, randomUUID())))).toHaveLength(1);
    expect([empty!.status, empty!.json]).toEqual([422, { error: { code: 'CART_EMPTY', message: expect.any(String) }, message: empty!.json.error.message }]);

    await addLine(alice, { product_id: 123, denomination: 50, quantity: 1 });
    const before = await cartOf(alice);
    const key = randomUUID();
    const poor = await checkOut(alice, key);
    expect([poor.status, poor.json.error.code]).toEqual([422, 'INSUFFICIENT_FUNDS']);
    expect(await cartOf(alice)).toEqual(before);
    expect(await balanceOf(t, alice, usd)).toBe(1_000);
    expect(await ordersOf(alice.clientId)).toHaveLength(0);
    // Recorded: the same key answers the same refusal even once the wallet could pay.
    await t.request('POST', `/v1/wallets/${usd}/deposits`, { headers: withKey(alice.headers), body: { amount: 10_000 } });
    const again = await checkOut(alice, key);
    expect([again.status, again.body, again.headers['idempotency-replayed']]).toEqual([422, poor.body, 'true']);
    const fresh = await checkOut(alice, randomUUID());
    expect([fresh.status, fresh.json.amount]).toEqual([201, 5_000]);

    const missingKey = await checkOut(alice, undefined);
    expect([missingKey.status, missingKey.json.error.code]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED']);
  });

  it('checks out only the version the client names, when it names one', async () => {
    const alice = await t.newClient('alice');
    const usd = await fundedWallet(t, alice, 'USD', 100_000);
    await addLine(alice, { product_id: 123, denomination: 10, quantity: 1 });
    const seen = await cartOf(alice);
    // Another tab adds a line after this client read the cart.
    await addLine(alice, { product_id: 123, denomination: 100, quantity: 1 });
    const stale = await checkOut(alice, randomUUID(), { cart_version: seen.version });
    expect([stale.status, stale.json.error.code]).toEqual([422, 'CART_CHANGED']);
    expect((await cartOf(alice)).items).toHaveLength(2);
    const current = await cartOf(alice);
    const done = await checkOut(alice, randomUUID(), { cart_version: current.version, wallet_id: usd });
    expect([done.status, done.json.amount, done.json.orders.length]).toEqual([201, 11_000, 2]);

    const eurWallet = await fundedWallet(t, alice, 'EUR', 100_000);
    await addLine(alice, { product_id: 123, denomination: 10, quantity: 1 });
    const wrongWallet = await checkOut(alice, randomUUID(), { wallet_id: eurWallet });
    expect([wrongWallet.status, wrongWallet.json.error.code]).toEqual([422, 'CURRENCY_MISMATCH']);
    const nobodys = await checkOut(alice, randomUUID(), { wallet_id: randomUUID() });
    expect([nobodys.status, nobodys.json.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  describe('while a checkout is in flight (its transaction held open by the sandbox)', () => {
    /** Runs `during` while a checkout of `who`'s cart holds its transaction open, and answers both. */
    async function duringCheckout<T>(who: Credentials, during: () => Promise<T>): Promise<{ checkout: Reply; during: T }> {
      const held = checkOut(who, randomUUID(), {}, { 'x-sandbox-fault': 'delay=1000' });
      await until(() => callHeldOpen(t.db, 'checkout_cart'));
      const [checkout, result] = await Promise.all([held, during()]);
      return { checkout, during: result };
    }

    it('a second checkout waits for it, then finds the cart empty: lines are ordered once', async () => {
      const alice = await t.newClient('alice');
      await fundedWallet(t, alice, 'USD', 100_000);
      await addLine(alice, { product_id: 123, denomination: 10, quantity: 3 });
      const { checkout, during } = await duringCheckout(alice, () => checkOut(alice, randomUUID()));
      expect([checkout.status, during.status, during.json.error.code]).toEqual([201, 422, 'CART_EMPTY']);
      expect(await ordersOf(alice.clientId)).toHaveLength(1);
    });

    it('a line added meanwhile waits and lands in the emptied cart; a line removed meanwhile was already ordered', async () => {
      const alice = await t.newClient('alice');
      await fundedWallet(t, alice, 'USD', 100_000);
      const ordered = (await addLine(alice, { product_id: 123, denomination: 10, quantity: 1 })).json;
      const { checkout, during } = await duringCheckout(alice, () =>
        Promise.all([addLine(alice, { product_id: 123, denomination: 50, quantity: 1 }), t.request('DELETE', `/client/api/cart/items/${ordered.id}`, { headers: alice.headers })]),
      );
      const [added, removed] = during;
      expect(checkout.json.orders.map((order: { id: string }) => order.id)).toEqual([ordered.id]);
      expect([added.status, removed.status]).toEqual([201, 404]);
      expect((await cartOf(alice)).items).toEqual([added.json]);
    });
  });
});
