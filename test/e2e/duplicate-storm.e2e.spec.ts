import { randomUUID } from 'node:crypto';
import { balanceOf, fundedWallet, ledgerIsBalanced } from '../support/fixtures';
import { seededRandom } from '../support/random';
import { Credentials, Reply, startTestApp, TestApp, withKey } from '../support/test-app';

/** Copies of one request sent at once, under one Idempotency-Key. */
const STORM = 40;
/** Requests under different keys sent at once against one wallet that affords only some of them. */
const RUSH = 30;

const SEED = process.env.STORM_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.STORM_SEED);
const bank = { type: 'bank_account', account_number: 'DE89370400440532013000' };

/**
 * Storms of concurrent requests on every money route, in process: run as is by `npm test`, and by
 * `npm run test:pgbouncer` with the request connections going through a transaction-mode PgBouncer
 * (test/pgbouncer/). Identical requests must move money once and agree on one answer; different
 * requests must never spend more than the wallet holds.
 */
describe('duplicate storms on every money route', () => {
  let t: TestApp;
  let alice: Credentials;
  const random = seededRandom(SEED);
  /** A whole number in [low, high]. */
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));

  beforeAll(async () => {
    console.log(`[duplicate-storm] seed=${SEED} (replay with STORM_SEED=${SEED})${process.env.TEST_POOLER_URL ? ' through TEST_POOLER_URL' : ''}`);
    t = await startTestApp({ PAYOUT_SETTLE_DELAY_MS: '0' });
    alice = await t.newClient('storm');
  });
  afterAll(() => t.close());

  const post = (url: string, body: unknown, key: string) => t.request('POST', url, { headers: withKey(alice.headers, key), body });

  /** Sends STORM copies of one request at once and checks the answers agree; returns the one body. */
  async function identicalStorm(route: string, url: string, body: unknown): Promise<any> {
    const key = randomUUID();
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: STORM }, () => post(url, body, key)));
    const ms = Date.now() - started;
    const created = replies.filter((r) => r.status === 201);
    const inUse = replies.filter((r) => r.status === 409 && r.json?.error?.code === 'IDEMPOTENCY_KEY_IN_USE');
    const figures = {
      requests: replies.length,
      executed: created.filter((r) => r.headers['idempotency-replayed'] === 'false').length,
      replayed: created.filter((r) => r.headers['idempotency-replayed'] === 'true').length,
      in_use: inUse.length,
      ms,
    };
    console.log(`[duplicate-storm] same key, ${route}: ${JSON.stringify(figures)}`);
    const unexpected = replies.filter((r) => !created.includes(r) && !inUse.includes(r));
    expect(unexpected.map((r) => `${r.status} ${r.body}`)).toEqual([]);
    expect(figures.executed).toBe(1);
    expect(figures.executed + figures.replayed).toBe(created.length);
    expect(new Set(created.map((r) => r.body)).size).toBe(1);
    for (const r of created) expect(r.headers['idempotency-key']).toBe(key);
    return created[0].json;
  }

  /** Sends `count` requests under different keys at once; returns how many succeeded, the rest must be INSUFFICIENT_FUNDS. */
  async function rush(route: string, count: number, send: (key: string) => Promise<Reply>): Promise<number> {
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: count }, () => send(randomUUID())));
    const outcomes = replies.map((r) => (r.status === 201 ? 'ok' : `${r.status} ${r.json?.error?.code}`));
    const ok = outcomes.filter((o) => o === 'ok').length;
    console.log(`[duplicate-storm] different keys, ${route}: ${JSON.stringify({ requests: count, executed: ok, refused: count - ok, ms: Date.now() - started })}`);
    expect(outcomes.filter((o) => o !== 'ok' && o !== '422 INSUFFICIENT_FUNDS')).toEqual([]);
    for (const r of replies) expect(r.headers['idempotency-replayed']).toBe('false');
    return ok;
  }

  const lowestBalance = async (walletId: string) =>
    Number((await t.db.query<{ low: string }>('SELECT min(balance_after)::text AS low FROM ledger_entries WHERE wallet_id = $1', [walletId]))[0].low);
  const settled = async (payoutId: string) => {
    for (let waited = 0; waited < 15_000; waited += 100) {
      const read = await t.request('GET', `/v1/payouts/${payoutId}`, { headers: alice.headers });
      if (read.json.status !== 'PENDING') return read.json.status as string;
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`payout ${payoutId} still PENDING`);
  };

  describe('the same key', () => {
    it('deposits once', async () => {
      const walletId = await fundedWallet(t, alice, 'USD', 0);
      const amount = between(1, 100_000);
      const deposit = await identicalStorm('deposit', `/v1/wallets/${walletId}/deposits`, { amount });
      expect([deposit.amount, deposit.balance_after]).toEqual([amount, amount]);
      expect(await balanceOf(t, alice, walletId)).toBe(amount);
      expect(await ledgerIsBalanced(t)).toBe(true);
    });

    it('places an order once', async () => {
      const balance = between(1000, 100_000);
      const walletId = await fundedWallet(t, alice, 'USD', balance);
      const order = await identicalStorm('order', '/v1/orders', { wallet_id: walletId, product_id: 123, denomination: 1000, quantity: 1 });
      expect([order.status, order.amount]).toEqual(['COMPLETED', 1000]);
      expect(await balanceOf(t, alice, walletId)).toBe(balance - 1000);
      expect(await ledgerIsBalanced(t)).toBe(true);
    });

    it('transfers once', async () => {
      const balance = between(1, 100_000);
      const amount = between(1, balance);
      const from = await fundedWallet(t, alice, 'USD', balance);
      const to = await fundedWallet(t, alice, 'USD', 0);
      const transfer = await identicalStorm('transfer', '/v1/transfers', { from_wallet_id: from, to_wallet_id: to, amount });
      expect([transfer.status, transfer.amount]).toEqual(['COMPLETED', amount]);
      expect([await balanceOf(t, alice, from), await balanceOf(t, alice, to)]).toEqual([balance - amount, amount]);
      expect(await ledgerIsBalanced(t)).toBe(true);
    });

    it('pays out once, and settles once', async () => {
      const balance = between(1, 100_000);
      const amount = between(1, balance);
      const walletId = await fundedWallet(t, alice, 'USD', balance);
      const payout = await identicalStorm('payout', '/v1/payouts', { wallet_id: walletId, amount, destination: bank });
      expect([payout.status, payout.amount]).toEqual(['PENDING', amount]);
      expect(await balanceOf(t, alice, walletId)).toBe(balance - amount);
      expect(await settled(payout.id)).toBe('COMPLETED');
      expect(await balanceOf(t, alice, walletId)).toBe(balance - amount);
      expect(await ledgerIsBalanced(t)).toBe(true);
    });
  });

  describe('different keys on a wallet that affords only some', () => {
    it('completes as many orders as the balance allows', async () => {
      const affordable = between(1, RUSH - 1);
      const leftover = between(0, 999);
      const walletId = await fundedWallet(t, alice, 'USD', affordable * 1000 + leftover);
      const ok = await rush('order', RUSH, (key) => post('/v1/orders', { wallet_id: walletId, product_id: 123, denomination: 1000, quantity: 1 }, key));
      expect(ok).toBe(affordable);
      expect(await balanceOf(t, alice, walletId)).toBe(leftover);
      expect(await lowestBalance(walletId)).toBeGreaterThanOrEqual(0);
      expect(await ledgerIsBalanced(t)).toBe(true);
    });

    it('completes as many transfers as the balance allows', async () => {
      const affordable = between(1, RUSH - 1);
      const amount = between(1, 10_000);
      const leftover = between(0, amount - 1);
      const from = await fundedWallet(t, alice, 'USD', affordable * amount + leftover);
      const to = await fundedWallet(t, alice, 'USD', 0);
      const ok = await rush('transfer', RUSH, (key) => post('/v1/transfers', { from_wallet_id: from, to_wallet_id: to, amount }, key));
      expect(ok).toBe(affordable);
      expect([await balanceOf(t, alice, from), await balanceOf(t, alice, to)]).toEqual([leftover, affordable * amount]);
      expect(await lowestBalance(from)).toBeGreaterThanOrEqual(0);
      expect(await ledgerIsBalanced(t)).toBe(true);
    });

    it('accepts as many payouts as the balance allows', async () => {
      const affordable = between(1, RUSH - 1);
      const amount = between(1, 10_000);
      const leftover = between(0, amount - 1);
      const walletId = await fundedWallet(t, alice, 'USD', affordable * amount + leftover);
      const ok = await rush('payout', RUSH, (key) => post('/v1/payouts', { wallet_id: walletId, amount, destination: bank }, key));
      expect(ok).toBe(affordable);
      expect(await balanceOf(t, alice, walletId)).toBe(leftover);
      expect(await lowestBalance(walletId)).toBeGreaterThanOrEqual(0);
      expect(await ledgerIsBalanced(t)).toBe(true);
    });
  });
});
