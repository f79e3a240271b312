import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { Ledgerline, LedgerlineAdmin, LedgerlineError } from '../src';
import { ADMIN_TOKEN, fundedWallet, GIFT_CARD, newTenant, Sandbox, startSandbox, Tenant, until } from './harness';

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

  it('turns error answers into LedgerlineError with the contract code and the request id', async () => {
    const notFound = await api.getWallet(randomUUID()).catch((error: unknown) => error);
    expect(notFound).toBeInstanceOf(LedgerlineError);
    expect(notFound).toMatchObject({ status: 404, code: 'NOT_FOUND', retryable: false, requestId: expect.any(String) });

    const stranger = new Ledgerline({ baseUrl: sandbox.baseUrl, apiKey: tenant.credentials.api_key, apiSecret: 'sk_wrong' });
    await expect(stranger.listWallets()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });

    const impostor = new LedgerlineAdmin({ baseUrl: sandbox.baseUrl, adminToken: 'not-the-admin-token' });
    await expect(impostor.checkLedger()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('keeps the books balanced (admin ledger check)', async () => {
    const admin = new LedgerlineAdmin({ baseUrl: sandbox.baseUrl, adminToken: ADMIN_TOKEN });
    const report = await admin.checkLedger();
    expect(report).toEqual({ ok: true, currencies: expect.arrayContaining([{ currency: 'USD', sum: '0' }]), mismatches: [] });
  });
});
