import { randomUUID } from 'node:crypto';
import { balanceOf, fundedWallet, ledgerIsBalanced } from '../support/fixtures';
import { PayoutSettlement } from '../../src/payouts/payout-settlement';
import { Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

describe('transfers', () => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.newClient('alice');
    bob = await t.newClient('bob');
  });
  afterAll(() => t.close());

  const transfer = (body: Record<string, unknown>, headers = withKey(alice.headers)) =>
    t.request('POST', '/v1/transfers', { headers, body });

  it('moves money between two wallets atomically, with an entry on each side', async () => {
    const from = await fundedWallet(t, alice, 'EUR', 1000);
    const to = await fundedWallet(t, alice, 'EUR', 0);
    const reply = await transfer({ from_wallet_id: from, to_wallet_id: to, amount: 300, description: 'rent share' });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({
      id: expect.any(String),
      status: 'COMPLETED',
      from_wallet_id: from,
      to_wallet_id: to,
      amount: 300,
      currency: 'EUR',
      description: 'rent share',
      created_at: expect.any(String),
    });
    expect([await balanceOf(t, alice, from), await balanceOf(t, alice, to)]).toEqual([700, 300]);
    const entries = await t.db.query<{ type: string; amount: string; balance_after: string }>(
      'SELECT type, amount::text, balance_after::text FROM ledger_entries WHERE reference_id = $1 ORDER BY amount',
      [reply.json.id],
    );
    expect(entries).toEqual([
      { type: 'TRANSFER_OUT', amount: '-300', balance_after: '700' },
      { type: 'TRANSFER_IN', amount: '300', balance_after: '300' },
    ]);
    expect((await t.request('GET', `/v1/transfers/${reply.json.id}`, { headers: alice.headers })).json).toEqual(reply.json);
  });

  it('takes the key from accessTag in the body (Treezor) and replays it', async () => {
    const from = await fundedWallet(t, alice, 'EUR', 1000);
    const to = await fundedWallet(t, alice, 'EUR', 0);
    const accessTag = `treezor-${randomUUID()}`;
    const first = await transfer({ from_wallet_id: from, to_wallet_id: to, amount: 100, accessTag }, alice.headers);
    const retry = await transfer({ from_wallet_id: from, to_wallet_id: to, amount: 100, accessTag }, alice.headers);
    expect(first.status).toBe(201);
    expect(retry.body).toBe(first.body);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(await balanceOf(t, alice, to)).toBe(100);
  });

  const walletOf = async (who: Credentials, currency: string, accepts: boolean) =>
    (await t.request('POST', '/v1/wallets', { headers: who.headers, body: { currency, accepts_external_transfers: accepts } })).json.id as string;
  const depositInto = (who: Credentials, walletId: string, amount: number) =>
    t.request('POST', `/v1/wallets/${walletId}/deposits`, { headers: withKey(who.headers), body: { amount } });

  it("credits another client's wallet that accepts external transfers; the receiver sees the entry but not the sender's transfer", async () => {
    const from = await fundedWallet(t, alice, 'USD', 500);
    const bobs = await walletOf(bob, 'USD', true);
    const reply = await transfer({ from_wallet_id: from, to_wallet_id: bobs, amount: 200 });
    expect(reply.status).toBe(201);
    expect(await balanceOf(t, bob, bobs)).toBe(200);
    const bobsEntries = await t.request('GET', `/v1/wallets/${bobs}/transactions`, { headers: bob.headers });
    expect(bobsEntries.json.data[0]).toMatchObject({ type: 'TRANSFER_IN', amount: 200, reference_id: reply.json.id });
    expect((await t.request('GET', `/v1/transfers/${reply.json.id}`, { headers: bob.headers })).status).toBe(404);
    // Bob cannot pull money out of Alice's wallet.
    const pull = await transfer({ from_wallet_id: from, to_wallet_id: bobs, amount: 1 }, withKey(bob.headers));
    expect([pull.status, pull.json.error.code]).toEqual([404, 'NOT_FOUND']);
    expect(await ledgerIsBalanced(t)).toBe(true);
  });

  it("answers a wallet of another client that does not accept transfers exactly as one that does not exist, whatever its currency and balance", async () => {
    const from = await fundedWallet(t, alice, 'USD', 500);
    const unknown = await transfer({ from_wallet_id: from, to_wallet_id: randomUUID(), amount: 1 });
    const probes = [await walletOf(bob, 'USD', false), await walletOf(bob, 'TRX', false), await walletOf(bob, 'USD', false)];
    expect((await depositInto(bob, probes[2], Number.MAX_SAFE_INTEGER)).status).toBe(201);
    for (const probe of probes) {
      for (const amount of [1, 400, 2 ** 52]) {
        const reply = await transfer({ from_wallet_id: from, to_wallet_id: probe, amount });
        expect([reply.status, reply.body]).toEqual([404, unknown.body]);
      }
    }
    // Nothing moved, and the receiving client's wallets were never even locked.
    expect(await balanceOf(t, alice, from)).toBe(500);
    expect(await balanceOf(t, bob, probes[0])).toBe(0);

    // Its owner opens it with PATCH, then closes it again.
    const setAccepts = (accepts: boolean) =>
      t.request('PATCH', `/v1/wallets/${probes[0]}`, { headers: withKey(bob.headers), body: { accepts_external_transfers: accepts } });
    expect((await setAccepts(true)).json.accepts_external_transfers).toBe(true);
    expect((await transfer({ from_wallet_id: from, to_wallet_id: probes[0], amount: 100 })).status).toBe(201);
    expect((await setAccepts(false)).json.accepts_external_transfers).toBe(false);
    const closed = await transfer({ from_wallet_id: from, to_wallet_id: probes[0], amount: 100 });
    expect([closed.status, closed.body]).toEqual([404, unknown.body]);
    expect(await balanceOf(t, bob, probes[0])).toBe(100);
  });

  it("keeps room in another client's wallet for the refunds of its pending payouts", async () => {
    const app = await startTestApp({ PAYOUT_SETTLE_DELAY_MS: '3600000' }, { database: t.db });
    try {
      const carol = await app.newClient('carol');
      const carols = (await app.request('POST', '/v1/wallets', { headers: carol.headers, body: { currency: 'USD', accepts_external_transfers: true } })).json.id;
      await app.request('POST', `/v1/wallets/${carols}/deposits`, { headers: withKey(carol.headers), body: { amount: 1000 } });
      const payout = await app.request('POST', '/v1/payouts', {
        headers: withKey(carol.headers),
        body: { wallet_id: carols, amount: 1000, destination: { type: 'bank_account', account_number: 'FAIL-0001' } },
      });
      expect(payout.status).toBe(201);
      // Carol's wallet now holds 0 and owes a possible refund of 1000: another client may fill it only to 2^53-1 - 1000.
      const from = await fundedWallet(t, alice, 'USD', Number.MAX_SAFE_INTEGER);
      const tooMuch = await transfer({ from_wallet_id: from, to_wallet_id: carols, amount: Number.MAX_SAFE_INTEGER - 999 });
      expect([tooMuch.status, tooMuch.json.error.code]).toEqual([422, 'BALANCE_LIMIT_EXCEEDED']);
      const fits = await transfer({ from_wallet_id: from, to_wallet_id: carols, amount: Number.MAX_SAFE_INTEGER - 1000 });
      expect(fits.status).toBe(201);
      // The rail rejects the payout (FAIL...): its refund still fits.
      const settled = await app.app.get(PayoutSettlement).settle({ clientId: carol.clientId, payoutId: payout.json.id });
      expect(settled).toBe('FAILED');
      expect(await balanceOf(app, carol, carols)).toBe(Number.MAX_SAFE_INTEGER);
    } finally {
      await app.close();
    }
  });

  it('refuses what cannot be moved, and moves nothing', async () => {
    const eur = await fundedWallet(t, alice, 'EUR', 100);
    const usd = await fundedWallet(t, alice, 'USD', 100);
    const full = await fundedWallet(t, alice, 'EUR', Number.MAX_SAFE_INTEGER);
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ from_wallet_id: eur, to_wallet_id: eur, amount: 1 }, 400, 'VALIDATION_ERROR'],
      [{ from_wallet_id: eur, to_wallet_id: usd, amount: 1 }, 422, 'CURRENCY_MISMATCH'],
      [{ from_wallet_id: eur, to_wallet_id: full, amount: 1 }, 422, 'BALANCE_LIMIT_EXCEEDED'],
      [{ from_wallet_id: eur, to_wallet_id: full, amount: 101 }, 422, 'INSUFFICIENT_FUNDS'],
      [{ from_wallet_id: eur, to_wallet_id: randomUUID(), amount: 1 }, 404, 'NOT_FOUND'],
      [{ from_wallet_id: randomUUID(), to_wallet_id: eur, amount: 1 }, 404, 'NOT_FOUND'],
    ];
    for (const [body, status, code] of cases) {
      const reply = await transfer(body);
      expect([reply.status, reply.json.error.code]).toEqual([status, code]);
    }
    expect([await balanceOf(t, alice, eur), await balanceOf(t, alice, usd)]).toEqual([100, 100]);
  });

  it('runs 200 concurrent transfers in both directions without a deadlock, conserving the total', async () => {
    const a = await fundedWallet(t, alice, 'GBP', 10_000);
    const b = await fundedWallet(t, alice, 'GBP', 10_000);
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        transfer(i % 2 === 0 ? { from_wallet_id: a, to_wallet_id: b, amount: 7 } : { from_wallet_id: b, to_wallet_id: a, amount: 5 }),
      ),
    );
    const failures = replies.filter((r) => r.status !== 201).map((r) => r.body);
    expect(failures).toEqual([]);
    const [balanceA, balanceB] = [await balanceOf(t, alice, a), await balanceOf(t, alice, b)];
    expect(balanceA + balanceB).toBe(20_000);
    expect(balanceA).toBe(10_000 - 100 * 7 + 100 * 5);
    expect(await ledgerIsBalanced(t)).toBe(true);
  });
});
