import { createHmac, randomUUID } from 'node:crypto';
import { fundedWallet, whileWalletLocked } from '../support/fixtures';
import { recordStatements } from '../support/round-trips';
import { STARSHIP_RETRY_SHORTLY_STATUS } from '../../src/dialects/starship/starship.dialect';
import { RequestLog } from '../../src/request-log/request-log';
import { Credentials, Reply, startTestApp, TestApp, withKey } from '../support/test-app';
import { callHeldOpen, until } from '../support/poll';

const LOCK_WAIT_MS = 300;

/** A money-moving route: how to send it, with a key, for a wallet that can afford it or not. */
interface Route {
  name: string;
  fn: string;
  /** Signed requests always make the call, which spends their signature: no replay from memory. */
  signed?: boolean;
  /** What an attempt needs in place first (a line in the cart), outside the statements counted. */
  before?(t: TestApp): Promise<void>;
  send(t: TestApp, key: string, wallet: Wallets, affordable: boolean): Promise<Reply>;
  /** Starship's routes answer "retry shortly" with 503, the status the guide's clients retry. */
  busyStatus?: number;
}

interface Wallets {
  usd: string;
  other: string;
  trx: string;
}

const catFeeHeaders = (who: Credentials, path: string) => {
  const timestamp = new Date().toISOString();
  return {
    'cf-access-key': who.headers['x-api-key'],
    'cf-access-timestamp': timestamp,
    'cf-access-sign': createHmac('sha256', who.headers['x-api-secret']).update(`${timestamp}POST${path}`).digest('base64'),
  };
};

let alice: Credentials;

const ROUTES: Route[] = [
  {
    name: 'POST /v1/orders',
    fn: 'place_order',
    send: (t, key, w, affordable) =>
      t.request('POST', '/v1/orders', { headers: withKey(alice.headers, key), body: { wallet_id: w.usd, product_id: 123, denomination: affordable ? 1000 : 10000, quantity: affordable ? 1 : 10000 } }),
  },
  {
    name: 'POST /api/v1/orders (Starship, implicit wallet)',
    busyStatus: STARSHIP_RETRY_SHORTLY_STATUS,
    fn: 'place_order',
    send: (t, key, _w, affordable) =>
      t.request('POST', '/api/v1/orders', { headers: withKey(alice.headers, key), body: { product_id: 123, denomination: affordable ? 10 : 100, quantity: affordable ? 1 : 10000 } }),
  },
  {
    name: 'POST /v1/order (CatFee)',
    fn: 'place_order',
    signed: true,
    send: (t, key, _w, affordable) =>
      t.request('POST', `/v1/order?quantity=${affordable ? 100 : 10_000_000}&receiver=TRON_ADDRESS&duration=1h&client_order_id=${key}`, { headers: catFeeHeaders(alice, '/v1/order') }),
  },
  {
    name: 'POST /v1/wallets/:id/deposits',
    fn: 'deposit',
    // A deposit is refused when the balance would pass 2^53-1.
    send: (t, key, w, affordable) =>
      t.request('POST', `/v1/wallets/${w.usd}/deposits`, { headers: withKey(alice.headers, key), body: { amount: affordable ? 1 : 9007199254740991 } }),
  },
  {
    name: 'POST /v1/transfers',
    fn: 'transfer',
    send: (t, key, w, affordable) =>
      t.request('POST', '/v1/transfers', { headers: withKey(alice.headers, key), body: { from_wallet_id: w.usd, to_wallet_id: w.other, amount: affordable ? 100 : 90_000_000 } }),
  },
  {
    name: 'POST /v1/payouts',
    fn: 'create_payout',
    send: (t, key, w, affordable) =>
      t.request('POST', '/v1/payouts', {
        headers: withKey(alice.headers, key),
        body: { wallet_id: w.usd, amount: affordable ? 100 : 90_000_000, destination: { type: 'bank_account', account_number: 'DE89370400440532013000' } },
      }),
  },
  {
    name: 'POST /client/api/cart/checkout (Starship, every line of the cart)',
    busyStatus: STARSHIP_RETRY_SHORTLY_STATUS,
    fn: 'checkout_cart',
    before: async (t) => {
      const added = await t.request('POST', '/client/api/cart/items', { headers: alice.headers, body: { product_id: 123, denomination: 100, quantity: 1 } });
      if (added.status !== 201) throw new Error(`adding a cart line failed: ${added.body}`);
    },
    // Unaffordable: from the second wallet, which holds only what the transfers moved into it.
    send: (t, key, w, affordable) =>
      t.request('POST', '/client/api/cart/checkout', { headers: withKey(alice.headers, key), body: affordable ? {} : { wallet_id: w.other } }),
  },
  {
    name: 'POST /api/v1/payouts (Starship, implicit wallet)',
    busyStatus: STARSHIP_RETRY_SHORTLY_STATUS,
    fn: 'create_payout',
    send: (t, key, _w, affordable) =>
      t.request('POST', '/api/v1/payouts', {
        headers: withKey(alice.headers, key),
        body: { amount: affordable ? '1.00' : '900000.00', currency: 'USD', destination: { type: 'bank_account', account_number: 'DE89370400440532013000' } },
      }),
  },
];

/**
 * Every outcome of every money-moving route is one database call (docs/idempotency.md, "Round trips"),
 * counted at the app's own pool. A change that adds a round trip makes this fail on purpose: update
 * the table in docs/idempotency.md with it.
 */
describe('one database call per money movement', () => {
  let t: TestApp;
  let wallets: Wallets;

  beforeAll(async () => {
    // Payouts settle after the suite, so the settlement worker's statements stay out of every count.
    t = await startTestApp({ IDEMPOTENCY_LOCK_WAIT_MS: String(LOCK_WAIT_MS), IDEMPOTENCY_TTL_SECONDS: '2', PAYOUT_SETTLE_DELAY_MS: '3600000' });
    alice = await t.newClient('alice');
    wallets = {
      usd: await fundedWallet(t, alice, 'USD', 50_000_000),
      other: await fundedWallet(t, alice, 'USD', 0),
      trx: await fundedWallet(t, alice, 'TRX', 50_000_000),
    };
  });
  afterAll(() => t.close());

  /**
   * The statements `send` made, which must be exactly one call of `fn`; and, for a signed request whose
   * call rolled back, one more that remembers its signature (UnspentSignatures).
   */
  async function oneCall(route: Route, send: () => Promise<Reply>, { rolledBack = false } = {}): Promise<Reply> {
    await route.before?.(t);
    let reply: Reply | undefined;
    const sent = await recordStatements(t, async () => (reply = await send()));
    const signatureSpent = rolledBack && route.signed === true;
    expect(sent).toHaveLength(signatureSpent ? 2 : 1);
    expect(sent[0]).toMatch(new RegExp(`^SELECT outcome, refusal, status, body, created_at, lifetime_ms FROM (${route.fn}|record_refusal)\\(`));
    if (signatureSpent) expect(sent[1]).toMatch(/^SELECT signature_first_use\(/);
    return reply!;
  }

  describe.each(ROUTES)('$name', (route) => {
    it('executes, replays, refuses a changed request, and records a refusal, in one call each', async () => {
      const key = randomUUID();
      const executed = await oneCall(route, () => route.send(t, key, wallets, true));
      expect(executed.status).toBeLessThan(300);
      expect(executed.headers['idempotency-replayed']).toBe('false');

      const replayed = await oneCall(route, () => route.send(t, key, wallets, true));
      expect([replayed.status, replayed.headers['idempotency-replayed']]).toEqual([executed.status, 'true']);
      // A replayed record is then served from this instance's memory: no call at all (signed: the one call).
      if (route.signed) await oneCall(route, () => route.send(t, key, wallets, true));
      else expect(await recordStatements(t, () => route.send(t, key, wallets, true))).toEqual([]);

      const otherKey = randomUUID();
      await route.before?.(t);
      await route.send(t, otherKey, wallets, true);
      const reused = await oneCall(route, () => route.send(t, otherKey, wallets, false));
      expect(reused.status).toBe(422);
      expect(reused.body).toMatch(/IDEMPOTENCY_KEY_REUSED/);

      const refusedKey = randomUUID();
      const refused = await oneCall(route, () => route.send(t, refusedKey, wallets, false));
      expect(refused.status).toBe(422);
      expect(refused.body).toMatch(/INSUFFICIENT_FUNDS|BALANCE_LIMIT_EXCEEDED/);
      const refusedAgain = await oneCall(route, () => route.send(t, refusedKey, wallets, false));
      expect([refusedAgain.status, refusedAgain.body, refusedAgain.headers['idempotency-replayed']]).toEqual([422, refused.body, 'true']);
    });

    it('waits for a busy wallet at most IDEMPOTENCY_LOCK_WAIT_MS, answers RESOURCE_BUSY and keeps nothing, in one call (signed: and its signature)', async () => {
      const key = randomUUID();
      const locked = route.fn === 'place_order' && route.name.includes('CatFee') ? wallets.trx : wallets.usd;
      await whileWalletLocked(t, locked, async () => {
        const busy = await oneCall(route, () => route.send(t, key, wallets, true), { rolledBack: true });
        expect(busy.status).toBe(route.busyStatus ?? 409);
        expect(busy.body).toMatch(/RESOURCE_BUSY/);
      });
      expect(await t.db.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [key])).toHaveLength(0);
      await route.before?.(t);
      const retried = await route.send(t, key, wallets, true);
      expect([retried.status < 300, retried.headers['idempotency-replayed']]).toEqual([true, 'false']);
    });
  });

  it('a key in flight is waited on at most IDEMPOTENCY_LOCK_WAIT_MS, then IDEMPOTENCY_KEY_IN_USE, in one call', async () => {
    const route = ROUTES[0];
    const key = randomUUID();
    const held = t.request('POST', '/v1/orders', {
      headers: { ...withKey(alice.headers, key), 'x-sandbox-fault': 'delay=1500' },
      body: { wallet_id: wallets.usd, product_id: 123, denomination: 1000, quantity: 1 },
    });
    // The holder's claim is in: its transaction waits in the sandbox's delay.
    await until(() => callHeldOpen(t.db, 'place_order'));
    try {
      const inUse = await oneCall(route, () => route.send(t, key, wallets, true));
      expect(inUse.status).toBe(409);
      expect(inUse.body).toMatch(/IDEMPOTENCY_KEY_IN_USE/);
    } finally {
      expect((await held).status).toBe(201);
    }
  });

  it('an expired key is taken over in one call', async () => {
    const route = ROUTES[0];
    const key = randomUUID();
    const first = await route.send(t, key, wallets, true);
    expect(first.status).toBe(201);
    await until(async () => (await t.db.query('SELECT 1 FROM idempotency_keys WHERE key = $1 AND expires_at <= now()', [key])).length === 1);
    const renewed = await oneCall(route, () => route.send(t, key, wallets, true));
    expect([renewed.status, renewed.headers['idempotency-replayed']]).toEqual([201, 'false']);
    expect(renewed.json.id).not.toBe(first.json.id);
  });

  it('an order by a client subscribed to order.completed writes its event and delivery job in the same call', async () => {
    const route = ROUTES[0];
    const hook = await t.request('POST', '/v1/webhooks', { headers: alice.headers, body: { url: 'http://127.0.0.1:9/hook', events: ['order.completed'] } });
    expect(hook.status).toBe(201);
    const placed = await oneCall(route, () => route.send(t, randomUUID(), wallets, true));
    expect(placed.status).toBe(201);
    const events = await t.db.query<{ id: string; data: { id: string } }>(`SELECT id, data FROM webhook_events WHERE type = 'order.completed' AND data->>'id' = $1`, [placed.json.id]);
    expect(events.map((event) => event.data)).toEqual([placed.json]);
    const jobs = await t.db.query(`SELECT 1 FROM pgboss.job WHERE name = 'webhook-delivery' AND data->>'eventId' = $1`, [events[0].id]);
    expect(jobs).toHaveLength(1);
  });
});

/**
 * The sandbox console's costs (docs/console.md): the request log is written on a connection of its
 * own, never in a request's window; a fault rule costs a client one statement per keyed request only
 * while this process believes it has one armed.
 */
describe('the console adds no round trip', () => {
  let t: TestApp;
  let carol: Credentials;
  let wallet: string;

  beforeAll(async () => {
    t = await startTestApp();
    carol = await t.newClient('carol');
    wallet = await fundedWallet(t, carol, 'USD', 1_000_000);
  });
  afterAll(() => t.close());

  const order = (key = randomUUID()) =>
    t.request('POST', '/v1/orders', { headers: withKey(carol.headers, key), body: { wallet_id: wallet, product_id: 123, denomination: 1000, quantity: 1 } });
  const functionsOf = (sent: string[]) => sent.map((text) => /FROM (\w+)\(/.exec(text)?.[1] ?? text);

  it('writes the request log outside the request: one call, and the entry is kept once the batch is written', async () => {
    const key = randomUUID();
    const sent = await recordStatements(t, async () => {
      expect((await order(key)).status).toBe(201);
      await t.app.get(RequestLog).flush();
      await until(async () => (await t.db.query('SELECT 1 FROM request_log WHERE idempotency_key = $1', [key])).length === 1);
    });
    expect(functionsOf(sent)).toEqual(['place_order']);
  });

  it('spends a fault rule in one statement more only while the client may have one armed', async () => {
    expect(functionsOf(await recordStatements(t, () => order()))).toEqual(['place_order']);
    const rule = await t.request('POST', '/v1/sandbox/fault-rules', { headers: carol.headers, body: { fault: 'drop-response', endpoint: 'POST /v1/transfers', times: 1 } });
    expect(rule.status).toBe(201);
    // Armed, but for another endpoint: the spend finds no match.
    expect(functionsOf(await recordStatements(t, () => order()))).toEqual(['spend_fault_rule', 'place_order']);
    expect((await t.request('DELETE', `/v1/sandbox/fault-rules/${rule.json.id}`, { headers: carol.headers })).status).toBe(204);
    // The next spend learns that nothing is armed any more, and the client is forgotten.
    expect(functionsOf(await recordStatements(t, () => order()))).toEqual(['spend_fault_rule', 'place_order']);
    expect(functionsOf(await recordStatements(t, () => order()))).toEqual(['place_order']);
  });
});
