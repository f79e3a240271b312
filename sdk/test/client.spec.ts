import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { Ledgerline, LedgerlineAdmin, LedgerlineError } from '../src';
import { ADMIN_TOKEN, fundedWallet, GIFT_CARD, newTenant, QUICK_RETRIES, Sandbox, startSandbox, Tenant, until } from './harness';

/** Every endpoint of the SDK, against a real service process and PostgreSQL. */
describe('Ledgerline SDK endpoints', () => {
  let sandbox: Sandbox;
  let tenant: Tenant;
  let api: Ledgerline;

  beforeAll(async () => {
    sandbox = await startSandbox();
    tenant = await newTenant(sandbox);
    api = tenant.api();
  }, 120_000);
  afterAll(() => sandbox?.stop());

  it('reports liveness and readiness', async () => {
    expect((await api.health()).status).toBe('ok');
    const ready = await api.ready();
    expect(ready.status).toBe('ok');
    expect(ready.details.database.status).toBe('up');
  });

  it('creates, reads and pages through wallets', async () => {
    const created = await api.createWallet({ currency: 'EUR', external_id: 'acct-42', metadata: { tier: 'gold' } });
    expect(created.replayed).toBe(false);
    expect(created.data).toEqual({
      id: expect.any(String),
      currency: 'EUR',
      balance: 0,
      external_id: 'acct-42',
      metadata: { tier: 'gold' },
      accepts_external_transfers: false,
      created_at: expect.any(String),
    });
    await api.createWallet({ currency: 'GBP' });

    expect(await api.getWallet(created.data.id)).toEqual(created.data);
    const first = await api.listWallets({ limit: 1 });
    expect(first.data).toHaveLength(1);
    expect(first.next_cursor).not.toBeNull();
    const second = await api.listWallets({ limit: 1, cursor: first.next_cursor! });
    expect(second.data[0].id).not.toBe(first.data[0].id);
  });

  it('changes a wallet with PATCH, only the fields named, and replays the change under the same key', async () => {
    const wallet = (await api.createWallet({ currency: 'USD', external_id: 'before', metadata: { team: 'ops' } })).data;
    const key = `wallet-change-${randomUUID()}`;
    const change = { external_id: 'after', accepts_external_transfers: true };
    const changed = await api.updateWallet(wallet.id, change, { idempotencyKey: key });
    expect(changed).toEqual({ data: { ...wallet, external_id: 'after', accepts_external_transfers: true }, idempotencyKey: key, replayed: false, attempts: 1 });
    expect(await api.getWallet(wallet.id)).toEqual(changed.data);

    expect(await api.updateWallet(wallet.id, change, { idempotencyKey: key })).toEqual({ ...changed, replayed: true });
    await expect(api.updateWallet(wallet.id, { external_id: 'other' }, { idempotencyKey: key })).rejects.toMatchObject({
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      idempotencyKey: key,
    });

    const cleared = await api.updateWallet(wallet.id, { metadata: null });
    expect(cleared.data).toEqual({ ...changed.data, metadata: null });
    expect(await api.getWallet(wallet.id)).toEqual(cleared.data);
  });

  it('funds a wallet and lists the ledger entries behind its balance', async () => {
    const walletId = (await api.createWallet({ currency: 'USD' })).data.id;
    const deposit = await api.deposit(walletId, { amount: 10_500 });
    expect(deposit.data).toMatchObject({ wallet_id: walletId, amount: 10_500, currency: 'USD', balance_after: 10_500 });

    expect((await api.getWallet(walletId)).balance).toBe(10_500);
    const entries = await api.listWalletTransactions(walletId, { limit: 10 });
    expect(entries.data).toEqual([
      expect.objectContaining({ type: 'DEPOSIT', amount: 10_500, balance_after: 10_500, reference_type: 'DEPOSIT', reference_id: deposit.data.id }),
    ]);
    expect(entries.next_cursor).toBeNull();
  });

  it('lists the product catalogue', async () => {
    const products = await api.listProducts();
    expect(products.data).toContainEqual({
      id: GIFT_CARD,
      name: expect.any(String),
      type: 'DENOMINATION',
      currency: 'USD',
      denominations: [1000, 2500, 5000, 10000],
      unit_price: null,
    });
  });

  it('places an order under a client_order_id and finds it by that reference', async () => {
    const walletId = await fundedWallet(api, 10_000);
    const reference = `cart-${randomUUID()}`;
    const placed = await api.placeOrder(
      { wallet_id: walletId, product_id: GIFT_CARD, denomination: 2500, quantity: 2, receiver: 'ada@example.com' },
      { clientOrderId: reference },
    );
    expect(placed.idempotencyKey).toBe(reference);
    expect(placed.data).toMatchObject({ client_order_id: reference, status: 'COMPLETED', amount: 5000, currency: 'USD', receiver: 'ada@example.com' });

    expect(await api.getOrder(placed.data.id)).toEqual(placed.data);
    expect((await api.listOrders({ client_order_id: reference })).data).toEqual([placed.data]);
    expect((await api.getWallet(walletId)).balance).toBe(5000);
  });

  it('replays an order called again with the same key, without a second debit', async () => {
    const walletId = await fundedWallet(api, 10_000);
    const order = { wallet_id: walletId, product_id: GIFT_CARD, denomination: 1000, quantity: 1 };
    const first = await api.placeOrder(order, { idempotencyKey: 'my-order-ref-0001' });
    const again = await api.placeOrder(order, { idempotencyKey: 'my-order-ref-0001' });

    expect(first.replayed).toBe(false);
    expect(again).toEqual({ ...first, replayed: true });
    expect((await api.getWallet(walletId)).balance).toBe(9000);
  });

  it('transfers between two wallets', async () => {
    const from = await fundedWallet(api, 5000);
    const to = await fundedWallet(api, 0);
    const transfer = await api.createTransfer({ from_wallet_id: from, to_wallet_id: to, amount: 1500, description: 'rent' });
    expect(transfer.data).toMatchObject({ status: 'COMPLETED', from_wallet_id: from, to_wallet_id: to, amount: 1500, description: 'rent' });

    expect(await api.getTransfer(transfer.data.id)).toEqual(transfer.data);
    expect((await api.getWallet(from)).balance).toBe(3500);
    expect((await api.getWallet(to)).balance).toBe(1500);
  });

  it('pays out at once, and the payout settles', async () => {
    const walletId = await fundedWallet(api, 5000);
    const payout = await api.createPayout({
      wallet_id: walletId,
      amount: 2000,
      destination: { type: 'bank_account', account_number: 'DE89370400440532013000' },
    });
    expect(payout.data).toMatchObject({ status: 'PENDING', amount: 2000, failure_reason: null });
    expect((await api.getWallet(walletId)).balance).toBe(3000);

    await until(async () => (await api.getPayout(payout.data.id)).status === 'COMPLETED');
  });

  it('lists payouts newest first, a page at a time', async () => {
    const walletId = await fundedWallet(api, 5000);
    const destination = { type: 'bank_account', account_number: 'DE89370400440532013000' } as const;
    const older = (await api.createPayout({ wallet_id: walletId, amount: 1000, destination })).data;
    const newer = (await api.createPayout({ wallet_id: walletId, amount: 1500, destination })).data;

    const first = await api.listPayouts({ limit: 1 });
    expect(first.data).toEqual([expect.objectContaining({ id: newer.id, wallet_id: walletId, amount: 1500, currency: 'USD', destination })]);
    expect(first.next_cursor).not.toBeNull();
    const second = await api.listPayouts({ limit: 1, cursor: first.next_cursor! });
    expect(second.data).toEqual([expect.objectContaining({ id: older.id, wallet_id: walletId, amount: 1000 })]);
  });

  it('shows the record kept under an idempotency key', async () => {
    const walletId = await fundedWallet(api, 0);
    const deposit = await api.deposit(walletId, { amount: 100 }, { idempotencyKey: 'funding/2024?#%-0001' });
    const records = await api.getIdempotencyKey(deposit.idempotencyKey);
    expect(records.data).toEqual([
      expect.objectContaining({ key: 'funding/2024?#%-0001', endpoint: 'POST /v1/wallets/:id/deposits', state: 'COMPLETED', response_status: 201 }),
    ]);
  });

  it('registers a webhook whose deliveries standardwebhooks verifies, rotates its secret, redelivers an attempt and deletes it', async () => {
    const received: Array<{ headers: Record<string, string>; body: string }> = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)])), body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      const hook = (await api.registerWebhook({ url, events: ['deposit.completed'] })).data;
      expect(hook).toMatchObject({ url, events: ['deposit.completed'], status: 'ENABLED', secret: expect.stringMatching(/^whsec_/) });
      const { secret, ...shown } = hook;
      expect(await api.getWebhook(hook.id)).toEqual(shown);

      const walletId = await fundedWallet(api, 100);
      await until(async () => received.length === 1);
      expect(new Webhook(secret).verify(received[0].body, received[0].headers)).toMatchObject({ type: 'deposit.completed', data: { wallet_id: walletId } });
      await until(async () => (await api.listWebhookDeliveries(hook.id)).data.length === 1);
      const [delivery] = (await api.listWebhookDeliveries(hook.id, { limit: 1 })).data;
      expect(delivery).toMatchObject({ attempt: 1, status: 'DELIVERED', response_code: 204, next_retry_at: null });

      const rotated = (await api.rotateWebhookSecret(hook.id)).data;
      expect(rotated.secret).not.toBe(secret);
      expect(rotated.previous_secret_expires_at).toEqual(expect.any(String));
      const redelivery = await api.redeliverWebhook(hook.id, delivery.id);
      expect(redelivery.data).toMatchObject({ webhook_id: hook.id, delivery_id: delivery.id, event_id: delivery.event_id });
      await until(async () => received.length === 2);
      expect(received[1].headers['webhook-id']).toBe(delivery.event_id);
      for (const key of [rotated.secret, secret]) expect(new Webhook(key).verify(received[1].body, received[1].headers)).toEqual(JSON.parse(received[0].body));

      await api.deleteWebhook(hook.id);
      await expect(api.getWebhook(hook.id)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
      await expect(api.deleteWebhook(hook.id)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
    } finally {
      receiver.close();
    }
  });

  it('lists webhook endpoints newest first, without their secrets', async () => {
    const older = (await api.registerWebhook({ url: 'http://127.0.0.1:9/older', events: ['payout.failed'] })).data;
    const newer = (await api.registerWebhook({ url: 'http://127.0.0.1:9/newer', events: ['payout.failed'] })).data;
    try {
      const first = await api.listWebhooks({ limit: 1 });
      expect(first.data).toEqual([await api.getWebhook(newer.id)]);
      expect(first.data[0]).toMatchObject({ url: 'http://127.0.0.1:9/newer', events: ['payout.failed'], status: 'ENABLED' });
      expect(first.data[0]).not.toHaveProperty('secret');
      const second = await api.listWebhooks({ limit: 1, cursor: first.next_cursor! });
      expect(second.data).toEqual([await api.getWebhook(older.id)]);
    } finally {
      await api.deleteWebhook(older.id);
      await api.deleteWebhook(newer.id);
    }
  });

  it('finds requests just made in the request log: by key, by status and route, and by request id', async () => {
    const walletId = await fundedWallet(api, 0);
    const key = `sdk-log-${randomUUID()}`;
    const deposit = await api.deposit(walletId, { amount: 700 }, { idempotencyKey: key });
    await api.deposit(walletId, { amount: 700 }, { idempotencyKey: key });

    // The log is written in batches, a moment after the answers.
    await until(async () => (await api.listRequests({ idempotency_key: key })).data.length === 2);
    const [replay, first] = (await api.listRequests({ idempotency_key: key })).data;
    expect(first).toEqual({
      id: expect.any(String),
      method: 'POST',
      route: '/v1/wallets/:id/deposits',
      path: `/v1/wallets/${walletId}/deposits`,
      status: 201,
      idempotency_key: key,
      idempotency_outcome: 'executed',
      sandbox_fault: null,
      duration_ms: expect.any(Number),
      request_body: JSON.stringify({ amount: 700 }),
      response_body: expect.any(String),
      created_at: expect.any(String),
    });
    expect(JSON.parse(first.response_body!)).toEqual(deposit.data);
    expect(replay).toMatchObject({ idempotency_key: key, idempotency_outcome: 'replayed', status: 201, response_body: first.response_body });
    expect(await api.getRequest(first.id)).toEqual(first);

    const requestId = await api.getWallet(randomUUID()).then(
      () => undefined,
      (error: LedgerlineError) => error.requestId,
    );
    expect(requestId).toEqual(expect.any(String));
    await until(async () => (await api.listRequests({ status: '4xx', route: '/v1/wallets/:id' })).data.some((entry) => entry.id === requestId));
    expect(await api.getRequest(requestId!)).toMatchObject({ id: requestId, method: 'GET', route: '/v1/wallets/:id', status: 404, idempotency_key: null });
    expect((await api.listRequests({ status: 404, route: '/v1/wallets/:id', limit: 100 })).data.map((entry) => entry.id)).toContain(requestId);
  });

  it('arms a fault rule that fails the next matching deposit once, lists it spent, and deletes it', async () => {
    const prefix = `sdk-fault-${randomUUID()}`;
    const rule = { fault: 'fail-before-commit', endpoint: 'POST /v1/wallets/:id/deposits', key_prefix: prefix, times: 1 } as const;
    const armed = await api.createFaultRule(rule);
    expect(armed.replayed).toBe(false);
    expect(armed.data).toEqual({ id: expect.any(String), fault: rule.fault, endpoint: rule.endpoint, key_prefix: prefix, remaining: 1, created_at: expect.any(String) });
    expect((await api.listFaultRules()).data).toContainEqual(armed.data);

    // The rule's 500 rolls the first attempt back; the SDK's retry under the same key then executes.
    const walletId = await fundedWallet(api, 0);
    const deposit = await tenant.api({ retry: QUICK_RETRIES }).deposit(walletId, { amount: 300 }, { idempotencyKey: `${prefix}-1` });
    expect([deposit.attempts, deposit.replayed]).toEqual([2, false]);
    expect((await api.getWallet(walletId)).balance).toBe(300);
    expect((await api.listFaultRules()).data).toContainEqual({ ...armed.data, remaining: 0 });

    await api.deleteFaultRule(armed.data.id);
    expect((await api.listFaultRules({ limit: 100 })).data.map((listed) => listed.id)).not.toContain(armed.data.id);
    await expect(api.deleteFaultRule(armed.data.id)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('fills the cart, removes a line, and checks it out under one key: one debit, an order per line, replayed on a retry', async () => {
    const shopper = (await newTenant(sandbox, 'sdk-cart')).api();
    const walletId = await fundedWallet(shopper, 20_000);
    // Denominations go in major units (Starship's body); the answers are in minor units.
    const line = { product_id: GIFT_CARD, denomination: 25, quantity: 2 };
    const lineKey = `cart-line-${randomUUID()}`;
    const first = await shopper.addCartItem(line, { idempotencyKey: lineKey });
    expect(first.data).toEqual({ id: expect.any(String), product_id: GIFT_CARD, denomination: 2500, quantity: 2, amount: 5000, currency: 'USD', created_at: expect.any(String) });
    expect(await shopper.addCartItem(line, { idempotencyKey: lineKey })).toEqual({ ...first, replayed: true });
    const second = (await shopper.addCartItem({ product_id: GIFT_CARD, denomination: 10, quantity: 1 })).data;
    const dropped = (await shopper.addCartItem({ product_id: GIFT_CARD, denomination: 100, quantity: 1 })).data;
    await shopper.removeCartItem(dropped.id);
    await expect(shopper.removeCartItem(dropped.id)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });

    const cart = await shopper.getCart();
    expect(cart).toEqual({ currency: 'USD', version: 4, amount: 6000, items: [first.data, second] });

    const key = `cart-checkout-${randomUUID()}`;
    const checkout = await shopper.checkoutCart({ wallet_id: walletId, cart_version: cart.version }, { idempotencyKey: key });
    expect(checkout.replayed).toBe(false);
    expect(checkout.data).toEqual({
      id: expect.any(String),
      status: 'COMPLETED',
      amount: 6000,
      currency: 'USD',
      orders: cart.items.map((item) => ({
        id: item.id,
        client_order_id: null,
        status: 'COMPLETED',
        wallet_id: walletId,
        product_id: GIFT_CARD,
        quantity: item.quantity,
        denomination: item.denomination,
        receiver: null,
        amount: item.amount,
        currency: 'USD',
        metadata: null,
        created_at: expect.any(String),
      })),
    });
    expect(await shopper.getOrder(first.data.id)).toEqual(checkout.data.orders[0]);
    expect((await shopper.getWallet(walletId)).balance).toBe(14_000);
    expect(await shopper.getCart()).toEqual({ currency: 'USD', version: cart.version + 1, amount: 0, items: [] });

    expect(await shopper.checkoutCart({ wallet_id: walletId, cart_version: cart.version }, { idempotencyKey: key })).toEqual({ ...checkout, replayed: true });
    // The Starship dialect's flat 422 body for a reused key reads as the contract's code.
    await expect(shopper.checkoutCart({ wallet_id: walletId }, { idempotencyKey: key })).rejects.toMatchObject({
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      idempotencyKey: key,
    });
    expect((await shopper.getWallet(walletId)).balance).toBe(14_000);
  });

  it('turns error answers into LedgerlineError with the contract code and the request id', async () => {
    const notFound = await api.getWallet(randomUUID()).catch((error: unknown) => error);
    expect(notFound).toBeInstanceOf(LedgerlineError);
    expect(notFound).toMatchObject({ status: 404, code: 'NOT_FOUND', retryable: false, requestId: expect.any(String) });

    const stranger = new Ledgerline({ baseUrl: sandbox.baseUrl, apiKey: tenant.credentials.api_key, apiSecret: 'sk_wrong' });
    await expect(stranger.listWallets()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });

    const impostor = new LedgerlineAdmin({ baseUrl: sandbox.baseUrl, adminToken: 'not-the-admin-token' });
    await expect(impostor.checkLedger()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('credits a wallet as the operator, once per key (admin)', async () => {
    const walletId = await fundedWallet(api, 0);
    const key = `credit-${randomUUID()}`;
    const credit = { amount: 2500, reference: 'bank-4711' };
    const credited = await sandbox.admin.creditWallet(walletId, credit, { idempotencyKey: key });
    expect(credited).toEqual({
      data: { id: expect.any(String), wallet_id: walletId, amount: 2500, currency: 'USD', balance_after: 2500, reference: 'bank-4711', created_at: expect.any(String) },
      idempotencyKey: key,
      replayed: false,
      attempts: 1,
    });
    expect(await sandbox.admin.creditWallet(walletId, credit, { idempotencyKey: key })).toEqual({ ...credited, replayed: true });
    await expect(sandbox.admin.creditWallet(walletId, { ...credit, amount: 9999 }, { idempotencyKey: key })).rejects.toMatchObject({
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });

    expect((await api.getWallet(walletId)).balance).toBe(2500);
    expect((await api.listWalletTransactions(walletId)).data).toEqual([
      expect.objectContaining({ type: 'DEPOSIT', amount: 2500, balance_after: 2500, reference_id: credited.data.id }),
    ]);
  });

  it('keeps the books balanced (admin ledger check)', async () => {
    const admin = new LedgerlineAdmin({ baseUrl: sandbox.baseUrl, adminToken: ADMIN_TOKEN });
    const report = await admin.checkLedger();
    expect(report).toEqual({ ok: true, currencies: expect.arrayContaining([{ currency: 'USD', sum: '0' }]), mismatches: [] });
  });
});
