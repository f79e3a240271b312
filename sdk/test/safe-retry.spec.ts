import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { IdempotentResult, Ledgerline, LedgerlineError, LedgerlineNetworkError } from '../src';
import {
  faultyFetch,
  fundedWallet,
  GIFT_CARD,
  newTenant,
  QUICK_RETRIES,
  recordingSleep,
  Sandbox,
  SandboxFault,
  startSandbox,
  Tenant,
  transactionHeldOpen,
  until,
} from './harness';
import { chooseSeed } from '../../test/reliability/support/load-profile';

/**
 * The SDK's retry policy against the service's real sandbox faults (sdk/README.md, "Retry policy"): whatever
 * fails, each logical operation moves money exactly once and the caller learns its one outcome.
 */
describe('safe retries', () => {
  let sandbox: Sandbox;
  let tenant: Tenant;
  /** Checks what happened, with a fetch of its own so it never counts as an attempt. */
  let observer: Ledgerline;

  beforeAll(async () => {
    // A short lock wait, so that a duplicate in flight gets its 409 quickly.
    sandbox = await startSandbox({ IDEMPOTENCY_LOCK_WAIT_MS: '300' });
    tenant = await newTenant(sandbox);
    observer = tenant.api();
  }, 120_000);
  afterAll(() => sandbox?.stop());

  const balanceOf = async (walletId: string) => (await observer.getWallet(walletId)).balance;
  const entriesFor = async (walletId: string, referenceId: string) =>
    (await observer.listWalletTransactions(walletId, { limit: 100 })).data.filter((entry) => entry.reference_id === referenceId);

  interface Wallets {
    source: string;
    destination: string;
  }
  /** Each money-moving call, and what it does to the source wallet. */
  const operations: Record<string, { run(api: Ledgerline, wallets: Wallets): Promise<IdempotentResult<{ id: string }>>; change: number }> = {
    deposit: { run: (api, w) => api.deposit(w.source, { amount: 700 }), change: +700 },
    order: { run: (api, w) => api.placeOrder({ wallet_id: w.source, product_id: GIFT_CARD, denomination: 2500, quantity: 1 }), change: -2500 },
    transfer: { run: (api, w) => api.createTransfer({ from_wallet_id: w.source, to_wallet_id: w.destination, amount: 900 }), change: -900 },
    payout: {
      run: (api, w) =>
        api.createPayout({ wallet_id: w.source, amount: 1100, destination: { type: 'bank_account', account_number: 'NL91ABNA0417164300' } }),
      change: -1100,
    },
  };

  describe.each(Object.keys(operations))('%s', (name) => {
    const operation = operations[name];

    it.each<[SandboxFault, boolean]>([
      ['drop-response', true],
      ['fail-before-commit', false],
    ])('after %s, retries once under the same key and moves the money once (replayed: %s)', async (fault, replayed) => {
      const wallets = { source: await fundedWallet(observer, 10_000), destination: await fundedWallet(observer, 0) };
      const faults = faultyFetch([fault]);
      const { sleep, waits } = recordingSleep();
      const api = tenant.api({ fetch: faults.fetch, sleep, random: () => 0.5, retry: { baseDelayMs: 20 } });

      const result = await operation.run(api, wallets);

      expect(faults.attempts.map((attempt) => attempt.status)).toEqual([fault === 'drop-response' ? undefined : 500, 201]);
      expect(faults.attempts.map((attempt) => attempt.idempotencyKey)).toEqual([result.idempotencyKey, result.idempotencyKey]);
      expect(result).toMatchObject({ replayed, attempts: 2 });
      // Full jitter: random() × base for the first retry; a 500 sends no Retry-After.
      expect(waits).toEqual([10]);
      expect(await balanceOf(wallets.source)).toBe(10_000 + operation.change);
      expect(await entriesFor(wallets.source, result.data.id)).toHaveLength(1);
      if (name === 'transfer') expect(await balanceOf(wallets.destination)).toBe(-operation.change);
    });
  });

  it('keeps a caller-supplied key on every attempt', async () => {
    const walletId = await fundedWallet(observer, 0);
    const faults = faultyFetch(['fail-before-commit', 'drop-response']);
    const result = await tenant
      .api({ fetch: faults.fetch, retry: QUICK_RETRIES })
      .deposit(walletId, { amount: 300 }, { idempotencyKey: 'invoice-2024-0042' });

    expect(faults.attempts.map((attempt) => attempt.idempotencyKey)).toEqual(['invoice-2024-0042', 'invoice-2024-0042', 'invoice-2024-0042']);
    expect(result).toMatchObject({ idempotencyKey: 'invoice-2024-0042', replayed: true, attempts: 3 });
    expect(await balanceOf(walletId)).toBe(300);
  });

  it('carries a client_order_id as the key of every attempt', async () => {
    const walletId = await fundedWallet(observer, 5000);
    const reference = `cart-${randomUUID()}`;
    const faults = faultyFetch(['drop-response']);
    const result = await tenant
      .api({ fetch: faults.fetch, retry: QUICK_RETRIES })
      .placeOrder({ wallet_id: walletId, product_id: GIFT_CARD, denomination: 1000, quantity: 1 }, { clientOrderId: reference });

    expect(faults.attempts.map((attempt) => new URL(attempt.url).searchParams.get('client_order_id'))).toEqual([reference, reference]);
    expect(result).toMatchObject({ idempotencyKey: reference, replayed: true });
    expect((await observer.listOrders({ client_order_id: reference })).data).toHaveLength(1);
    expect(await balanceOf(walletId)).toBe(4000);
  });

  it('waits out a duplicate in flight (409 IDEMPOTENCY_KEY_IN_USE, Retry-After: 1) and gets its one outcome', async () => {
    const walletId = await fundedWallet(observer, 10_000);
    const order = { wallet_id: walletId, product_id: GIFT_CARD, denomination: 5000, quantity: 1 };
    const key = randomUUID();

    // The first call executes, then the server holds its transaction open for 1.5 s...
    const first = tenant.api({ fetch: faultyFetch(['delay=1500']).fetch }).placeOrder(order, { idempotencyKey: key });
    await until(() => transactionHeldOpen(sandbox.db));
    // ...while a duplicate with the same key waits 300 ms on the claim, gets a 409, and retries.
    const duplicateFaults = faultyFetch();
    const { sleep, waits } = recordingSleep();
    const duplicate = await tenant.api({ fetch: duplicateFaults.fetch, sleep, random: () => 0 }).placeOrder(order, { idempotencyKey: key });
    const original = await first;

    expect(duplicateFaults.attempts[0]).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_IN_USE', idempotencyKey: key });
    expect(duplicateFaults.attempts.at(-1)).toMatchObject({ status: 201, idempotencyKey: key });
    // With no jitter, every wait is the server's Retry-After: 1 second.
    expect(waits.length).toBe(duplicateFaults.attempts.length - 1);
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(1000);
    expect(original.replayed).toBe(false);
    expect(duplicate).toMatchObject({ replayed: true, data: original.data });
    expect(await balanceOf(walletId)).toBe(5000);
  });

  it('waits out a busy wallet (409 RESOURCE_BUSY) and then executes its own order', async () => {
    const walletId = await fundedWallet(observer, 10_000);
    const order = { wallet_id: walletId, product_id: GIFT_CARD, denomination: 2500, quantity: 1 };

    const first = tenant.api({ fetch: faultyFetch(['delay=1500']).fetch }).placeOrder(order);
    await until(() => transactionHeldOpen(sandbox.db));
    // Another order (another key) on the same wallet cannot take its row lock within 300 ms.
    const secondFaults = faultyFetch();
    const { sleep, waits } = recordingSleep();
    const second = await tenant.api({ fetch: secondFaults.fetch, sleep }).placeOrder(order);
    await first;

    expect(secondFaults.attempts[0]).toMatchObject({ status: 409, code: 'RESOURCE_BUSY' });
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(second.replayed).toBe(false);
    expect(await balanceOf(walletId)).toBe(5000);
  });

  describe('never retries any other 4xx', () => {
    it.each<[string, number, (api: Ledgerline, walletId: string) => Promise<unknown>]>([
      ['INSUFFICIENT_FUNDS', 422, (api, walletId) => api.placeOrder({ wallet_id: walletId, product_id: GIFT_CARD, denomination: 10000, quantity: 1 })],
      ['VALIDATION_ERROR', 400, (api, walletId) => api.placeOrder({ wallet_id: walletId, product_id: GIFT_CARD, denomination: 1000, quantity: 0 })],
      ['VALIDATION_ERROR', 400, (api, walletId) => api.placeOrder({ wallet_id: walletId, product_id: GIFT_CARD, denomination: 777, quantity: 1 })],
      ['NOT_FOUND', 404, (api) => api.deposit(randomUUID(), { amount: 100 })],
      ['IDEMPOTENCY_KEY_TOO_SHORT', 400, (api, walletId) => api.deposit(walletId, { amount: 100 }, { idempotencyKey: 'short' })],
    ])('%s (%i): one attempt, final', async (code, status, call) => {
      const walletId = await fundedWallet(observer, 5000);
      const faults = faultyFetch();
      const error = await call(tenant.api({ fetch: faults.fetch, retry: QUICK_RETRIES }), walletId).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(LedgerlineError);
      expect(error).toMatchObject({ status, code, retryable: false });
      expect(faults.attempts).toHaveLength(1);
      expect(await balanceOf(walletId)).toBe(5000);
    });

    it('IDEMPOTENCY_KEY_REUSED (422): one attempt, and the first request stands', async () => {
      const walletId = await fundedWallet(observer, 0);
      await observer.deposit(walletId, { amount: 100 }, { idempotencyKey: 'deposit-ref-0007' });
      const faults = faultyFetch();
      const reuse = tenant.api({ fetch: faults.fetch, retry: QUICK_RETRIES }).deposit(walletId, { amount: 200 }, { idempotencyKey: 'deposit-ref-0007' });

      await expect(reuse).rejects.toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: 'deposit-ref-0007' });
      expect(faults.attempts).toHaveLength(1);
      expect(await balanceOf(walletId)).toBe(100);
    });
  });

  it('gives up after maxAttempts with the key, and the same key later learns the outcome', async () => {
    const walletId = await fundedWallet(observer, 0);
    // The first attempt rolls back; the second commits, and its answer is lost.
    const faults = faultyFetch(['fail-before-commit', 'drop-response']);
    const error = await tenant
      .api({ fetch: faults.fetch, retry: { ...QUICK_RETRIES, maxAttempts: 2 } })
      .deposit(walletId, { amount: 400 })
      .catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(LedgerlineNetworkError);
    expect(error).toMatchObject({ status: 0, code: 'NETWORK_ERROR', retryable: true });
    const { idempotencyKey } = error as LedgerlineNetworkError;
    expect(faults.attempts.map((attempt) => attempt.idempotencyKey)).toEqual([idempotencyKey, idempotencyKey]);

    const resumed = await observer.deposit(walletId, { amount: 400 }, { idempotencyKey });
    expect(resumed.replayed).toBe(true);
    expect(await balanceOf(walletId)).toBe(400);
  });

  it('bounds a call by maxElapsedMs, aborting a slow attempt', async () => {
    const walletId = await fundedWallet(observer, 0);
    const startedAt = Date.now();
    const error = await tenant
      .api({ fetch: faultyFetch(['delay=2500']).fetch, retry: { maxElapsedMs: 400 } })
      .deposit(walletId, { amount: 250 })
      .catch((thrown: unknown) => thrown);

    expect(Date.now() - startedAt).toBeLessThan(1500);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', idempotencyKey: expect.any(String) });
    // The server went on and committed: resuming under the key finds that one deposit.
    const resumed = await observer.deposit(walletId, { amount: 250 }, { idempotencyKey: (error as LedgerlineError).idempotencyKey });
    expect(resumed.replayed).toBe(true);
    expect(await balanceOf(walletId)).toBe(250);
  });

  it('charges exactly once under any sequence of faults (property)', async () => {
    const walletId = await fundedWallet(observer, 1_000_000);
    const faultKinds: Array<SandboxFault | undefined> = [undefined, 'drop-response', 'fail-before-commit'];
    const seed = chooseSeed('sdk safe-retry property');

    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...faultKinds), { maxLength: 4 }), async (faultSequence) => {
        const before = await balanceOf(walletId);
        const reference = `prop-${randomUUID()}`;
        const faults = faultyFetch(faultSequence);
        const result = await tenant
          .api({ fetch: faults.fetch, retry: { ...QUICK_RETRIES, maxAttempts: faultSequence.length + 1 } })
          .placeOrder({ wallet_id: walletId, product_id: GIFT_CARD, denomination: 1000, quantity: 1 }, { clientOrderId: reference });

        const expected = expectedOutcome(faultSequence);
        expect(result).toMatchObject({ replayed: expected.replayed, attempts: expected.attempts });
        expect(new Set(faults.attempts.map((attempt) => new URL(attempt.url).searchParams.get('client_order_id')))).toEqual(new Set([reference]));
        expect((await observer.listOrders({ client_order_id: reference })).data).toEqual([result.data]);
        expect(await balanceOf(walletId)).toBe(before - 1000);
      }),
      { seed, numRuns: 15 },
    );
    expect((await sandbox.admin.checkLedger()).ok).toBe(true);
  });
});

/**
 * What the server's contract predicts for a sequence of per-attempt faults: `fail-before-commit`
 * rolls back (the next attempt executes afresh), `drop-response` commits (every later attempt is a
 * replay, whatever fault it carries), and the first clean attempt, or replay, ends the call.
 */
function expectedOutcome(faults: ReadonlyArray<SandboxFault | undefined>): { attempts: number; replayed: boolean } {
  let committed = false;
  for (let attempt = 1; ; attempt++) {
    const fault = faults[attempt - 1];
    if (committed) return { attempts: attempt, replayed: true };
    if (fault === undefined) return { attempts: attempt, replayed: false };
    if (fault === 'drop-response') committed = true;
  }
}
