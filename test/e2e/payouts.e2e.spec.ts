import { Client } from 'pg';
import { PayoutSettlement } from '../../src/payouts/payout-settlement';
import { SandboxPayoutRail } from '../../src/payouts/sandbox-payout-rail';
import { StrandedPayouts } from '../../src/payouts/stranded-payouts';
import { balanceOf, fundedWallet, ledgerIsBalanced } from '../support/fixtures';
import { until } from '../support/poll';
import { Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

const bank = (account_number: string) => ({ type: 'bank_account', account_number });

describe('payouts settled by the worker', () => {
  let t: TestApp;
  let alice: Credentials;

  beforeAll(async () => {
    t = await startTestApp({ PAYOUT_SETTLE_DELAY_MS: '0' });
    alice = await t.newClient();
  });
  afterAll(() => t.close());

  const payout = (body: Record<string, unknown>, headers = withKey(alice.headers)) => t.request('POST', '/v1/payouts', { headers, body });
  const settled = async (payoutId: string) => {
    for (let waited = 0; waited < 15_000; waited += 100) {
      const read = await t.request('GET', `/v1/payouts/${payoutId}`, { headers: alice.headers });
      if (read.json.status !== 'PENDING') return read.json;
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error('payout still PENDING');
  };
  const clearingBalance = async (payoutId: string) =>
    (await t.db.query<{ total: string }>(
      `SELECT coalesce(sum(amount), 0)::text AS total FROM ledger_entries WHERE reference_id = $1 AND system_account = 'PAYOUT_CLEARING'`,
      [payoutId],
    ))[0].total;

  it('debits at once into clearing, answers PENDING, and settles COMPLETED', async () => {
    const walletId = await fundedWallet(t, alice, 'USD', 10_000);
    const reply = await payout({ wallet_id: walletId, amount: 2500, destination: bank('DE89370400440532013000') });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({
      id: expect.any(String),
      status: 'PENDING',
      wallet_id: walletId,
      amount: 2500,
      currency: 'USD',
      destination: { type: 'bank_account', account_number: 'DE89370400440532013000' },
      failure_reason: null,
      metadata: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(await balanceOf(t, alice, walletId)).toBe(7500);
    const final = await settled(reply.json.id);
    expect(final.status).toBe('COMPLETED');
    expect(await balanceOf(t, alice, walletId)).toBe(7500);
    expect(await clearingBalance(reply.json.id)).toBe('0');
    expect(await ledgerIsBalanced(t)).toBe(true);
  });

  it('fails a FAIL… destination and refunds it once', async () => {
    const walletId = await fundedWallet(t, alice, 'USD', 10_000);
    const reply = await payout({
      wallet_id: walletId,
      amount: 4000,
      destination: { type: 'crypto_address', network: 'tron', address: 'FAILTRX0000000001' },
    });
    expect(reply.status).toBe(201);
    const final = await settled(reply.json.id);
    expect(final).toMatchObject({ status: 'FAILED', failure_reason: expect.stringContaining('DESTINATION_REJECTED') });
    expect(await balanceOf(t, alice, walletId)).toBe(10_000);
    const refunds = await t.db.query(`SELECT 1 FROM ledger_entries WHERE reference_id = $1 AND type = 'PAYOUT_REFUND' AND wallet_id IS NOT NULL`, [
      reply.json.id,
    ]);
    expect(refunds).toHaveLength(1);
    expect(await ledgerIsBalanced(t)).toBe(true);
  });

  it('refuses malformed destinations and amounts the wallet does not hold', async () => {
    const walletId = await fundedWallet(t, alice, 'USD', 100);
    for (const destination of [
      { type: 'cash', account_number: '12345678' },
      { type: 'bank_account' },
      { type: 'bank_account', account_number: '12 34' },
      { type: 'crypto_address', network: 'tron' },
      { type: 'bank_account', account_number: '12345678', address: 'extra' },
      'DE89370400440532013000',
      null,
    ]) {
      const reply = await payout({ wallet_id: walletId, amount: 10, destination });
      expect([reply.status, reply.json.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    }
    const short = await payout({ wallet_id: walletId, amount: 101, destination: bank('12345678') });
    expect([short.status, short.json.error.code]).toEqual([422, 'INSUFFICIENT_FUNDS']);
    expect(await balanceOf(t, alice, walletId)).toBe(100);
  });
});

describe('payout settlement exactly once', () => {
  let t: TestApp;
  let alice: Credentials;

  beforeAll(async () => {
    // The worker waits an hour: these tests drive settlement by hand.
    t = await startTestApp({ PAYOUT_SETTLE_DELAY_MS: '3600000' });
    alice = await t.newClient();
  });
  afterAll(() => t.close());

  const pendingPayout = async (account: string, amount = 1000) => {
    const walletId = await fundedWallet(t, alice, 'USD', 5000);
    const reply = await t.request('POST', '/v1/payouts', {
      headers: withKey(alice.headers),
      body: { wallet_id: walletId, amount, destination: bank(account) },
    });
    return { walletId, payoutId: reply.json.id as string };
  };

  it('settles once when two runs race, and refunds a failure once', async () => {
    for (const account of ['GB33BUKB20201555555555', 'FAIL-ACCOUNT-01']) {
      const { walletId, payoutId } = await pendingPayout(account);
      const settlement = t.app.get(PayoutSettlement);
      const results = await Promise.all([settlement.settle({ clientId: alice.clientId, payoutId }), settlement.settle({ clientId: alice.clientId, payoutId })]);
      const expected = account.startsWith('FAIL') ? 'FAILED' : 'COMPLETED';
      expect(results.sort()).toEqual([expected, 'ALREADY_SETTLED'].sort());
      expect(await balanceOf(t, alice, walletId)).toBe(expected === 'FAILED' ? 5000 : 4000);
      const movements = await t.db.query('SELECT 1 FROM ledger_entries WHERE reference_id = $1', [payoutId]);
      expect(movements).toHaveLength(4); // the debit's two legs, then one settlement's two legs
      const railCalls = await t.db.query('SELECT 1 FROM sandbox_rail_transfers WHERE idempotency_key = $1', [`payout:${payoutId}`]);
      expect(railCalls).toHaveLength(1);
    }
    expect(await ledgerIsBalanced(t)).toBe(true);
  });

  it('after a crash between the rail call and the status update, the rerun settles once with the same outcome', async () => {
    const { walletId, payoutId } = await pendingPayout('FAIL-AFTER-CRASH', 1500);
    // The worker reached the rail, then died before its transaction: exactly this state.
    const first = await t.app.get(SandboxPayoutRail).submit({
      clientId: alice.clientId,
      idempotencyKey: `payout:${payoutId}`,
      amount: 1500n,
      currency: 'USD',
      destination: { type: 'bank_account', account_number: 'FAIL-AFTER-CRASH' },
    });
    expect(first.outcome).toBe('FAILED');
    expect((await t.request('GET', `/v1/payouts/${payoutId}`, { headers: alice.headers })).json.status).toBe('PENDING');

    const settlement = t.app.get(PayoutSettlement);
    expect(await settlement.settle({ clientId: alice.clientId, payoutId })).toBe('FAILED');
    expect(await settlement.settle({ clientId: alice.clientId, payoutId })).toBe('ALREADY_SETTLED');
    expect(await t.db.query('SELECT 1 FROM sandbox_rail_transfers WHERE idempotency_key = $1', [`payout:${payoutId}`])).toHaveLength(1);
    expect(await balanceOf(t, alice, walletId)).toBe(5000);
    expect(await ledgerIsBalanced(t)).toBe(true);
  });

  it('gives a PENDING payout whose settlement was lost a new job, once; one whose job failed for good is left to its dead-letter queue', async () => {
    const { walletId, payoutId } = await pendingPayout('GB33BUKB20201555555555', 1200);
    const { payoutId: exhaustedId } = await pendingPayout('GB33BUKB20201555555556', 1300);
    const setJobState = (id: string, state: string) =>
      t.db.query(`UPDATE pgboss.job SET state = $2::pgboss.job_state, completed_on = now() WHERE name = 'payout-settlement' AND data->>'payoutId' = $1`, [id, state]);
    // A failover under asynchronous replication kept the job's completion and lost the settlement: this state.
    await setJobState(payoutId, 'completed');
    // Failed for good: pg-boss wrote its dead-letter job in the same transaction (not yet run: it waits an hour here).
    await setJobState(exhaustedId, 'failed');
    await t.db.query(`SELECT job_enqueue('payout-settlement-abandoned', jsonb_build_object('clientId', $1::uuid, 'payoutId', $2::uuid), now() + interval '1 hour')`, [
      alice.clientId,
      exhaustedId,
    ]);

    const reconciler = t.app.get(StrandedPayouts);
    expect(await reconciler.requeue()).toBe(1);
    // Its new job is live until the payout is settled: never a second one.
    expect(await reconciler.requeue()).toBe(0);
    const statusOf = async (id: string) => (await t.request('GET', `/v1/payouts/${id}`, { headers: alice.headers })).json.status;
    await until(async () => (await statusOf(payoutId)) === 'COMPLETED');
    expect(await reconciler.requeue()).toBe(0);

    expect(await t.db.query('SELECT 1 FROM ledger_entries WHERE reference_id = $1', [payoutId])).toHaveLength(4);
    expect(await t.db.query('SELECT 1 FROM sandbox_rail_transfers WHERE idempotency_key = $1', [`payout:${payoutId}`])).toHaveLength(1);
    expect(await balanceOf(t, alice, walletId)).toBe(3800);
    expect(await statusOf(exhaustedId)).toBe('PENDING');
    expect(await ledgerIsBalanced(t)).toBe(true);
  });

  it('finds stranded payouts by a set difference, never by comparing each PENDING payout with each job', async () => {
    // Before `payouts` had statistics the planner chose a nested loop for a NOT EXISTS here: one sweep over
    // 81,000 PENDING payouts ran for minutes. The plan is read from auto_explain, on a session of our own.
    const session = new Client({ connectionString: t.db.url });
    const logged: string[] = [];
    session.on('notice', (notice) => logged.push(notice.message ?? ''));
    await session.connect();
    try {
      await session.query(`LOAD 'auto_explain'`);
      await session.query(`SELECT set_config('auto_explain.log_min_duration', '0', false), set_config('auto_explain.log_nested_statements', 'on', false),
                                  set_config('client_min_messages', 'log', false)`);
      const candidatesPlan = () => logged.find((message) => message.includes('FROM payouts'));
      // The app's own sweep may hold the reconciler's lock for a moment: then this call skips its query.
      await until(async () => {
        await session.query('SELECT requeue_stranded_payouts(1000)');
        return candidatesPlan() !== undefined;
      });
      expect(candidatesPlan()).toMatch(/SetOp/);
      expect(candidatesPlan()).not.toMatch(/Nested Loop/);
    } finally {
      await session.end();
    }
  });

  it('marks nothing when a dead-lettered settlement finds its payout settled (its last run outlived its expiry)', async () => {
    const { payoutId } = await pendingPayout('GB33BUKB20201555555558', 1000);
    const settlement = t.app.get(PayoutSettlement);
    expect(await settlement.settle({ clientId: alice.clientId, payoutId })).toBe('COMPLETED');
    await settlement.abandon({ id: 'dead-lettered', data: { clientId: alice.clientId, payoutId } });
    const [row] = await t.db.query<{ status: string; at: Date | null }>('SELECT status, settlement_abandoned_at AS at FROM payouts WHERE id = $1', [payoutId]);
    expect(row).toEqual({ status: 'COMPLETED', at: null });
  });

  it('leaves a payout whose last settlement run lost its worker to an operator; clearing the mark hands it back at once', async () => {
    const { payoutId } = await pendingPayout('GB33BUKB20201555555557', 1000);
    const settlementJob = async () =>
      (await t.db.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE name = 'payout-settlement' AND data->>'payoutId' = $1`, [payoutId]))[0];
    const abandonedAt = async () =>
      (await t.db.query<{ at: Date | null }>('SELECT settlement_abandoned_at AS at FROM payouts WHERE id = $1', [payoutId]))[0].at;

    // Its last run's worker died: the job is active past its expiry and no handler will answer. No catch of ours runs;
    // pg-boss's maintenance (every 10 s) fails it and hands it to the dead-letter queue, whose worker marks the payout.
    await t.db.query(
      `UPDATE pgboss.job SET state = 'active', started_on = now() - interval '1 minute', retry_count = retry_limit
       WHERE name = 'payout-settlement' AND data->>'payoutId' = $1`,
      [payoutId],
    );
    await until(async () => (await abandonedAt()) !== null, 40_000);
    expect(await settlementJob()).toEqual({ state: 'failed' });
    expect((await t.request('GET', `/v1/payouts/${payoutId}`, { headers: alice.headers })).json.status).toBe('PENDING');
    const reconciler = t.app.get(StrandedPayouts);
    expect(await reconciler.requeue()).toBe(0);

    // An operator who clears the mark hands the payout back: requeued at the next sweep, the failed job still there.
    await t.db.query('UPDATE payouts SET settlement_abandoned_at = NULL WHERE id = $1', [payoutId]);
    expect(await reconciler.requeue()).toBe(1);
    expect(await reconciler.requeue()).toBe(0);
    expect(await ledgerIsBalanced(t)).toBe(true);
  }, 60_000);
});
