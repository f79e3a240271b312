import { fundedWallet } from '../support/fixtures';
import { recordStatements } from '../support/round-trips';
import { Credentials, Reply, startTestApp, TestApp, withKey } from '../support/test-app';

/**
 * Round trips per request on the hot paths, counted at the driver (PERFORMANCE.md, step 1).
 * A change that adds one makes this fail on purpose: update the count here and in bench/RESULTS.md.
 */
describe('round trips', () => {
  let t: TestApp;
  let alice: Credentials;
  let walletId: string;
  const order = () => ({ wallet_id: walletId, product_id: 123, denomination: 1000, quantity: 1 });

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.newClient();
    walletId = await fundedWallet(t, alice, 'USD', 100_000);
    // Warm the product catalogue and the credentials cache, as in steady state.
    await t.request('POST', '/v1/orders', { headers: withKey(alice.headers), body: order() });
  });
  afterAll(() => t.close());

  it('a first-time order takes 1 statement: claim, debit, order, ledger entries and response together', async () => {
    const sent = await recordStatements(() => t.request('POST', '/v1/orders', { headers: withKey(alice.headers), body: order() }));
    console.log(`first-time order: ${sent.length} round trip(s)\n  ${sent.map((s) => s.slice(0, 80)).join('\n  ')}`);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^WITH bounded AS .* claim AS \( INSERT INTO idempotency_keys .* debit AS \( UPDATE wallets .* placed AS \( INSERT INTO orders .* posted AS \( INSERT INTO ledger_entries /);
  });

  it('an order on the transactional path (here, for a sandbox fault) takes 6: its effect is still one statement', async () => {
    const headers = { ...withKey(alice.headers), 'x-sandbox-fault': 'delay=0' };
    const sent = await recordStatements(() => t.request('POST', '/v1/orders', { headers, body: order() }));
    expect(sent.map((s) => s.split(' ').slice(0, 3).join(' '))).toEqual([
      'START TRANSACTION',
      'WITH bounded AS', // lock_timeout and the claim
      'WITH claim AS', // the order's effect: debit, order row, ledger entries
      'SELECT id FROM', // webhook subscribers
      'UPDATE idempotency_keys SET', // the recorded response
      'COMMIT',
    ]);
  });

  it('a first-time deposit (the transactional path) takes 8', async () => {
    const sent = await recordStatements(() => t.request('POST', `/v1/wallets/${walletId}/deposits`, { headers: withKey(alice.headers), body: { amount: 1 } }));
    expect(sent.map((s) => s.split(' ').slice(0, 3).join(' '))).toEqual([
      'START TRANSACTION',
      'WITH bounded AS', // lock_timeout and the claim, in one statement
      'UPDATE wallets SET', // the credit
      'INSERT INTO deposits',
      'INSERT INTO ledger_entries',
      'SELECT id FROM', // webhook subscribers
      'UPDATE idempotency_keys SET', // the recorded response
      'COMMIT',
    ]);
  });

  it('a first replay takes 1 (the one statement reads the record that holds the key), and later ones none (the replay cache), on any instance', async () => {
    const headers = withKey(alice.headers);
    const first = await t.request('POST', '/v1/orders', { headers, body: order() });
    const other = await startTestApp({}, { database: t.db });
    try {
      // Warm the other instance's credentials cache, as in steady state.
      await other.request('GET', `/v1/wallets/${walletId}`, { headers: alice.headers });
      for (const instance of [t, other]) {
        const fromDatabase = await recordStatements(() => instance.request('POST', '/v1/orders', { headers, body: order() }));
        expect(fromDatabase.map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual(['WITH bounded']);
        let replay: Reply | undefined;
        const fromMemory = await recordStatements(async () => (replay = await instance.request('POST', '/v1/orders', { headers, body: order() })));
        expect(fromMemory).toEqual([]);
        expect(replay).toMatchObject({ status: 201, body: first.body, headers: { 'idempotency-replayed': 'true' } });
      }
    } finally {
      await other.close();
    }
  });
});
