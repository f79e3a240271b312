import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { balanceOf, fundedWallet, ledgerIsBalanced, whileWalletLocked } from '../support/fixtures';
import { callHeldOpen, until } from '../support/poll';
import { ADMIN_TOKEN, Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

/** The example order of CatFee's idempotency article, as printed there. */
const CATFEE_ARTICLE_ORDER = {
  id: 'xyz987',
  client_order_id: 'abc123',
  pay_timestamp: 1700000000,
  receiver: 'TRON_ADDRESS',
  delegate_hash: 'abc123def456',
  delegate_timestamp: 1700000050,
  reclaim_hash: 'ghi789jkl012',
  reclaim_timestamp: 1700000100,
  pay_amount_sun: 10500000,
  activate_amount_sun: 10500000,
  quantity: 65000,
  staked_sun: 10000000,
  duration: 1,
  expired_timestamp: 1700003600,
  balance: 65000,
  resource_type: 'ENERGY',
  billing_type: 'TRANSFER',
  status: 'PAYMENT_SUCCESS',
  activate_status: 'DEACTIVATE',
  confirm_status: 'UNCONFIRMED',
};

/** The seed APIs' own example requests, sent as their documentation writes them (host aside). */
describe('seed dialects', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PAYOUT_SETTLE_DELAY_MS: '3600000' });
  });
  afterAll(() => t.close());

  /** A client whose credentials are used exactly as a Starship or CatFee integrator holds them. */
  const newIntegrator = async () => {
    const created = await t.request('POST', '/v1/admin/clients', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: { name: 'integrator' } });
    const credentials: Credentials = {
      clientId: created.json.id,
      headers: { 'x-api-key': created.json.api_key, 'x-api-secret': created.json.api_secret },
    };
    return { credentials, apiKey: created.json.api_key as string, apiSecret: created.json.api_secret as string };
  };

  describe('Starship', () => {
    const starshipOrder = { product_id: 123, denomination: 100, quantity: 5 };
    const post = (path: string, key: string | undefined, headers: Record<string, string>, body: unknown) =>
      t.request('POST', path, { headers: { ...headers, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, body });

    it('places the guide example order from the default wallet, in major units, once', async () => {
      const { credentials } = await newIntegrator();
      const usd = await fundedWallet(t, credentials, 'USD', 80_000);
      await fundedWallet(t, credentials, 'USD', 0); // a younger wallet: not the default
      const first = await post('/api/v1/orders', 'ord_abc123_1705689660', credentials.headers, starshipOrder);
      expect(first.status).toBe(201);
      expect(first.json).toMatchObject({ id: expect.any(String), status: 'COMPLETED', wallet_id: usd, product_id: 123, denomination: 10_000, quantity: 5, amount: 50_000 });
      expect(first.headers['idempotency-replayed']).toBe('false');

      const retry = await post('/api/v1/orders', 'ord_abc123_1705689660', credentials.headers, starshipOrder);
      expect(retry.status).toBe(201);
      expect(retry.body).toBe(first.body);
      expect(retry.headers['idempotency-replayed']).toBe('true');
      expect(retry.headers['idempotency-created-at']).toBe(first.headers['idempotency-created-at']);
      expect(await balanceOf(t, credentials, usd)).toBe(30_000);

      const changed = await post('/api/v1/orders', 'ord_abc123_1705689660', credentials.headers, { ...starshipOrder, quantity: 4 });
      expect([changed.status, changed.json.code]).toEqual([422, 'E_IDEMPOTENCY_KEY_REUSED']);
      // One key, one operation, whichever dialect: the main route refuses it too.
      const elsewhere = await t.request('POST', '/v1/orders', {
        headers: withKey(credentials.headers, 'ord_abc123_1705689660'),
        body: { wallet_id: usd, product_id: 123, denomination: 10_000, quantity: 5 },
      });
      expect([elsewhere.status, elsewhere.json.error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
      expect(await balanceOf(t, credentials, usd)).toBe(30_000);
    });

    it('answers a missing or short key, bad credentials and a missing wallet as the guide shows', async () => {
      const { credentials } = await newIntegrator();
      const missing = await post('/api/v1/orders', undefined, credentials.headers, starshipOrder);
      expect([missing.status, missing.json.error.code]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED']);
      const short = await post('/api/v1/orders', 'ord_1', credentials.headers, starshipOrder);
      expect([short.status, short.json.error.code]).toEqual([400, 'IDEMPOTENCY_KEY_TOO_SHORT']);
      const badSecret = await post('/api/v1/orders', 'ord_abc123_1705689661', { ...credentials.headers, 'x-api-secret': 'your-secret-here' }, starshipOrder);
      expect([badSecret.status, badSecret.json.error.code]).toEqual([401, 'UNAUTHENTICATED']);
      const noWallet = await post('/api/v1/orders', 'ord_abc123_1705689662', credentials.headers, starshipOrder);
      expect([noWallet.status, noWallet.json.error.code]).toEqual([404, 'NOT_FOUND']);
      expect(noWallet.json.error.message).toBe('USD wallet not found');
    });

    it("puts the idempotency headers on the wire with the guide's capitalisation", async () => {
      const { credentials } = await newIntegrator();
      await fundedWallet(t, credentials, 'USD', 100_000);
      const server = t.app.getHttpServer();
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      try {
        const { port } = server.address() as AddressInfo;
        const send = (body: unknown) => overTheWire(port, '/api/v1/orders', { ...credentials.headers, 'content-type': 'application/json', 'idempotency-key': 'ord_wire_1705689660' }, body);
        const first = await send(starshipOrder);
        const retry = await send(starshipOrder);
        const reused = await send({ ...starshipOrder, quantity: 1 });
        expect([first.status, retry.status, reused.status]).toEqual([201, 201, 422]);
        // What the guide's PHP header callback stores: the names exactly as sent.
        expect(first.headers).toMatchObject({ 'Idempotency-Key': 'ord_wire_1705689660', 'Idempotency-Replayed': 'false', 'Idempotency-Created-At': expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/) });
        expect(retry.headers).toMatchObject({ 'Idempotency-Replayed': 'true', 'Idempotency-Created-At': first.headers['Idempotency-Created-At'] });
        expect(reused.headers).toMatchObject({ 'Idempotency-Key': 'ord_wire_1705689660' });
        expect(Object.keys(first.headers).filter((name) => /^idempotency-/i.test(name))).toEqual(['Idempotency-Key', 'Idempotency-Replayed', 'Idempotency-Created-At']);
      } finally {
        await new Promise((done) => server.close(done));
      }
    });

    it("answers errors with the guide's bodies, field for field, and a top-level message", async () => {
      const { credentials } = await newIntegrator();
      await fundedWallet(t, credentials, 'USD', 1_000);
      const missing = await post('/api/v1/orders', undefined, credentials.headers, starshipOrder);
      expect([missing.status, missing.json]).toEqual([400, {
        error: { code: 'IDEMPOTENCY_KEY_REQUIRED', message: 'Idempotency-Key header is required for this operation', details: 'Include a unique Idempotency-Key header (8-256 characters)' },
        message: 'Idempotency-Key header is required for this operation',
      }]);
      const short = await post('/api/v1/orders', 'ord_1', credentials.headers, starshipOrder);
      expect([short.status, short.json]).toEqual([400, {
        error: { code: 'IDEMPOTENCY_KEY_TOO_SHORT', message: 'Idempotency-Key must be at least 8 characters' },
        message: 'Idempotency-Key must be at least 8 characters',
      }]);
      await post('/api/v1/orders', 'ord_err_1705689660', credentials.headers, { ...starshipOrder, denomination: 10, quantity: 1 });
      const reused = await post('/api/v1/orders', 'ord_err_1705689660', credentials.headers, { ...starshipOrder, denomination: 10, quantity: 2 });
      expect([reused.status, reused.json]).toEqual([422, {
        error: 'IdempotencyKeyReused',
        code: 'E_IDEMPOTENCY_KEY_REUSED',
        message: 'Idempotency-Key has already been used with a different request body',
      }]);

      // Errors the guide does not show: the envelope, and the same top-level message.
      const unknownProduct = await post('/api/v1/orders', 'ord_err_1705689661', credentials.headers, { ...starshipOrder, product_id: 999 });
      expect([unknownProduct.status, unknownProduct.json]).toEqual([404, { error: { code: 'NOT_FOUND', message: 'Product not found' }, message: 'Product not found' }]);
      const poor = await post('/api/v1/orders', 'ord_err_1705689662', credentials.headers, starshipOrder);
      const funds = 'The wallet balance is too low for this amount';
      expect([poor.status, poor.json]).toEqual([422, { error: { code: 'INSUFFICIENT_FUNDS', message: funds }, message: funds }]);
      const poorAgain = await post('/api/v1/orders', 'ord_err_1705689662', credentials.headers, starshipOrder);
      expect([poorAgain.status, poorAgain.body, poorAgain.headers['idempotency-replayed']]).toEqual([422, poor.body, 'true']);
      const invalid = await post('/api/v1/orders', 'ord_err_1705689663', credentials.headers, { ...starshipOrder, quantity: 0 });
      expect([invalid.status, invalid.json.error.code, invalid.json.error.details[0].field, invalid.json.message]).toEqual([400, 'VALIDATION_ERROR', 'quantity', invalid.json.error.message]);
      const stranger = await post('/api/v1/orders', 'ord_err_1705689664', { ...credentials.headers, 'x-api-secret': 'your-secret-here' }, starshipOrder);
      expect([stranger.status, stranger.json]).toEqual([401, { error: { code: 'UNAUTHENTICATED', message: 'Missing or invalid API credentials' }, message: 'Missing or invalid API credentials' }]);
    });

    it('takes the same orders and payouts at the client portal, in the same key space', async () => {
      const { credentials } = await newIntegrator();
      const usd = await fundedWallet(t, credentials, 'USD', 60_000);
      const first = await post('/client/api/orders', 'ord_portal_1705689660', credentials.headers, starshipOrder);
      expect(first.status).toBe(201);
      expect(first.json).toMatchObject({ status: 'COMPLETED', wallet_id: usd, product_id: 123, denomination: 10_000, quantity: 5, amount: 50_000 });
      const retry = await post('/client/api/orders', 'ord_portal_1705689660', credentials.headers, starshipOrder);
      expect([retry.status, retry.body, retry.headers['idempotency-replayed']]).toEqual([201, first.body, 'true']);
      // One key names one operation: through /api/v1 the same key is a different request.
      const elsewhere = await post('/api/v1/orders', 'ord_portal_1705689660', credentials.headers, starshipOrder);
      expect([elsewhere.status, elsewhere.json.code]).toEqual([422, 'E_IDEMPOTENCY_KEY_REUSED']);
      const missing = await post('/client/api/orders', undefined, credentials.headers, starshipOrder);
      expect([missing.status, missing.json.error.code, missing.json.message]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED', 'Idempotency-Key header is required for this operation']);

      const payout = { amount: 25, currency: 'USD', destination: { type: 'bank_account', account_number: 'DE89370400440532013000' } };
      const paid = await post('/client/api/payouts', 'pay_portal_1705689660', credentials.headers, payout);
      expect(paid.status).toBe(201);
      expect(paid.json).toMatchObject({ status: 'PENDING', wallet_id: usd, amount: 2_500, currency: 'USD' });
      const paidAgain = await post('/client/api/payouts', 'pay_portal_1705689660', credentials.headers, payout);
      expect(paidAgain.body).toBe(paid.body);
      const noKey = await post('/client/api/payouts', undefined, credentials.headers, payout);
      expect([noKey.status, noKey.json.error.code]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED']);
      expect(await balanceOf(t, credentials, usd)).toBe(60_000 - 50_000 - 2_500);
    });

    it('creates a payout in major units from the default wallet, once', async () => {
      const { credentials } = await newIntegrator();
      const usd = await fundedWallet(t, credentials, 'USD', 5_000);
      const body = { amount: '10.50', currency: 'USD', destination: { type: 'bank_account', account_number: 'DE89370400440532013000' } };
      const first = await post('/api/v1/payouts', 'pay_abc123_1705689660', credentials.headers, body);
      expect(first.status).toBe(201);
      expect(first.json).toMatchObject({ status: 'PENDING', wallet_id: usd, amount: 1050, currency: 'USD' });
      const retry = await post('/api/v1/payouts', 'pay_abc123_1705689660', credentials.headers, body);
      expect(retry.body).toBe(first.body);
      const tooPrecise = await post('/api/v1/payouts', 'pay_abc123_1705689661', credentials.headers, { ...body, amount: '1.005' });
      expect(tooPrecise.status).toBe(400);
      const zero = await post('/api/v1/payouts', 'pay_abc123_1705689662', credentials.headers, { ...body, amount: '0' });
      expect([zero.status, zero.json.error.details]).toEqual([400, [{ field: 'amount', errors: ['amount must be a positive number of USD with at most 2 decimals, within range'] }]]);
      expect(await balanceOf(t, credentials, usd)).toBe(3_950);
    });

    it('answers "retry shortly" (a duplicate in flight, a busy wallet) with 503 and Retry-After, which the guide’s clients retry; a 409 they would give up on', async () => {
      // A short wait for the key and the wallet row, on the same database.
      const quick = await startTestApp({ IDEMPOTENCY_LOCK_WAIT_MS: '300' }, { database: t.db });
      try {
        const { credentials } = await newIntegrator();
        const usd = await fundedWallet(t, credentials, 'USD', 100_000);
        const order = { product_id: 123, denomination: 10, quantity: 1 };
        const send = (key: string, headers: Record<string, string> = {}) => quick.request('POST', '/api/v1/orders', { headers: { ...withKey(credentials.headers, key), ...headers }, body: order });
        const held = send('ord_inflight_1705689660', { 'x-sandbox-fault': 'delay=2000' });
        await until(() => callHeldOpen(t.db, 'place_order'));

        const duplicate = await send('ord_inflight_1705689660');
        expect([duplicate.status, duplicate.headers['retry-after'], duplicate.json.error.code, typeof duplicate.json.message]).toEqual([503, '1', 'IDEMPOTENCY_KEY_IN_USE', 'string']);
        // Another key on the same default wallet, whose row the held order keeps locked.
        const busy = await send('ord_busywallet_1705689660');
        expect([busy.status, busy.headers['retry-after'], busy.json.error.code]).toEqual([503, '1', 'RESOURCE_BUSY']);

        const first = await held;
        const retried = await send('ord_inflight_1705689660');
        expect([first.status, retried.status, retried.headers['idempotency-replayed'], retried.body]).toEqual([201, 201, 'true', first.body]);
        expect(await balanceOf(t, credentials, usd)).toBe(100_000 - 1_000);
      } finally {
        await quick.close();
      }
    });

    it('names the offered denominations in major units too, the units its requests use', async () => {
      const { credentials } = await newIntegrator();
      await fundedWallet(t, credentials, 'USD', 100_000);
      const reply = await post('/api/v1/orders', 'ord_badface_1705689660', credentials.headers, { product_id: 123, denomination: 30, quantity: 1 });
      expect([reply.status, reply.json.error.code]).toEqual([400, 'VALIDATION_ERROR']);
      expect(reply.json.error.details).toEqual([{ field: 'denomination', errors: ['denomination must be one of 1000, 2500, 5000, 10000 minor units (10.00, 25.00, 50.00, 100.00 USD)'] }]);
    });

    it('converts major units by ISO-4217’s minor unit, not the display digits Intl has (HUF has two)', async () => {
      const { credentials } = await newIntegrator();
      const huf = await fundedWallet(t, credentials, 'HUF', 100_000);
      const body = { amount: 100, currency: 'HUF', wallet_id: huf, destination: { type: 'bank_account', account_number: 'HU42117730161111101800000000' } };
      const paid = await post('/api/v1/payouts', 'pay_huf_1705689660', credentials.headers, body);
      expect([paid.status, paid.json.amount]).toEqual([201, 10_000]);
      const cents = await post('/api/v1/payouts', 'pay_huf_1705689661', credentials.headers, { ...body, amount: '1.50' });
      expect([cents.status, cents.json.amount]).toEqual([201, 150]);
      expect(await balanceOf(t, credentials, huf)).toBe(100_000 - 10_000 - 150);
    });
  });

  describe('CatFee', () => {
    /** CatFee's signature: base64 HMAC-SHA256(secret, timestamp + method + path), the path without its query. */
    const catFeeHeaders = (apiKey: string, apiSecret: string, method: string, path: string, timestamp = new Date().toISOString()) => ({
      'content-type': 'application/json',
      'cf-access-key': apiKey,
      'cf-access-timestamp': timestamp,
      'cf-access-sign': createHmac('sha256', apiSecret).update(`${timestamp}${method}${path}`).digest('base64'),
    });
    const exampleQuery = 'quantity=65000&receiver=TRON_ADDRESS&duration=1h&client_order_id=abc123';

    it('buys the example 65000 energy for 1h once, and answers the duplicate as CatFee does', async () => {
      const { credentials, apiKey, apiSecret } = await newIntegrator();
      const trx = await fundedWallet(t, credentials, 'TRX', 100_000_000);
      const first = await t.request('POST', `/v1/order?${exampleQuery}`, { headers: catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order') });
      expect(first.status).toBe(200);
      const paidAt = first.json.data.pay_timestamp;
      expect(first.json).toEqual({
        code: 0,
        data: {
          // The article's order, but for what this order's own time, hashes and price make of it.
          ...CATFEE_ARTICLE_ORDER,
          id: expect.any(String),
          pay_timestamp: expect.any(Number),
          delegate_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
          delegate_timestamp: paidAt,
          reclaim_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
          reclaim_timestamp: paidAt + 3600,
          pay_amount_sun: 10_530_000,
          activate_amount_sun: 10_530_000,
          expired_timestamp: paidAt + 3600,
        },
      });
      // Every field of the article's example order, in its order.
      expect(Object.keys(first.json.data)).toEqual(Object.keys(CATFEE_ARTICLE_ORDER));
      expect(Math.abs(paidAt - Date.now() / 1000)).toBeLessThan(60);
      expect(await balanceOf(t, credentials, trx)).toBe(100_000_000 - 10_530_000);

      const duplicate = await t.request('POST', `/v1/order?${exampleQuery}`, { headers: catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order') });
      expect(duplicate.status).toBe(200);
      expect(duplicate.json).toEqual({
        code: 0,
        sub_code: 'SUCCESS',
        sub_msg: 'Duplicate order request, returning existing order',
        data: first.json.data,
      });
      expect(await balanceOf(t, credentials, trx)).toBe(100_000_000 - 10_530_000);

      const readBack = await t.request('GET', `/v1/order/${first.json.data.id}`, {
        headers: catFeeHeaders(apiKey, apiSecret, 'GET', `/v1/order/${first.json.data.id}`),
      });
      expect(readBack.json).toEqual({ code: 0, data: first.json.data });
      expect(await ledgerIsBalanced(t)).toBe(true);
    });

    it('lets a captured signature sign nothing but its own request and its retries, on any instance', async () => {
      const { credentials, apiKey, apiSecret } = await newIntegrator();
      const trx = await fundedWallet(t, credentials, 'TRX', 100_000_000);
      // CatFee signs timestamp + method + path only: the query (quantity, receiver, key) is not covered.
      const captured = catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order');
      const bought = await t.request('POST', '/v1/order?quantity=1&receiver=TVICTIM&duration=1h&client_order_id=cap-001', { headers: captured });
      expect(bought.status).toBe(200);
      const other = await startTestApp({}, { database: t.db });
      try {
        for (const instance of [t, other]) {
          const forged = await instance.request('POST', '/v1/order?quantity=5000&receiver=ATTACKER&duration=30d&client_order_id=cap-002', { headers: captured });
          expect([forged.status, forged.json.code, forged.json.sub_code]).toEqual([401, 401, 'UNAUTHENTICATED']);
          // The identical request is a retry: it replays the one order.
          const retry = await instance.request('POST', '/v1/order?quantity=1&receiver=TVICTIM&duration=1h&client_order_id=cap-001', { headers: captured });
          expect([retry.status, retry.json.sub_code, retry.json.data]).toEqual([200, 'SUCCESS', bought.json.data]);
        }
      } finally {
        await other.close();
      }
      expect(await balanceOf(t, credentials, trx)).toBe(100_000_000 - 162);
      expect(await t.db.query(`SELECT 1 FROM orders WHERE receiver = 'ATTACKER'`)).toHaveLength(0);

      // A retry whose record sits in the replay cache still spends its signature: captured, it signs nothing else.
      const retrySignature = catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order');
      expect((await t.request('POST', '/v1/order?quantity=1&receiver=TVICTIM&duration=1h&client_order_id=cap-001', { headers: retrySignature })).json.sub_code).toBe('SUCCESS');
      const reused = await t.request('POST', '/v1/order?quantity=5000&receiver=ATTACKER&duration=30d&client_order_id=cap-003', { headers: retrySignature });
      expect([reused.status, reused.json.sub_code]).toEqual([401, 'UNAUTHENTICATED']);
      expect(await balanceOf(t, credentials, trx)).toBe(100_000_000 - 162);
    });

    it('spends a signature whose request was answered without its call committing: invalid, or its wallet busy', async () => {
      const { credentials, apiKey, apiSecret } = await newIntegrator();
      const trx = await fundedWallet(t, credentials, 'TRX', 100_000_000);
      const order = (query: string, headers: Record<string, string>) => t.request('POST', `/v1/order?${query}`, { headers });
      // Refused by validation: no call was made.
      const invalidSigned = catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order');
      expect((await order('quantity=0&receiver=TVICTIM&duration=1h&client_order_id=spent-001', invalidSigned)).status).toBe(400);
      // Its wallet locked past the wait: the call rolled back, and its signature with it.
      const busySigned = catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order', new Date(Date.now() + 1).toISOString());
      await whileWalletLocked(t, trx, async () => {
        const busy = await order('quantity=1&receiver=TVICTIM&duration=1h&client_order_id=spent-002', busySigned);
        expect([busy.status, busy.json.sub_code]).toEqual([409, 'RESOURCE_BUSY']);
      });
      for (const captured of [invalidSigned, busySigned]) {
        const forged = await order('quantity=5000&receiver=ATTACKER&duration=30d&client_order_id=spent-003', captured);
        expect([forged.status, forged.json.sub_code]).toEqual([401, 'UNAUTHENTICATED']);
      }
      expect(await balanceOf(t, credentials, trx)).toBe(100_000_000);
      // The busy order's own retry, under its key, is still the request its signature signed.
      const retry = await order('quantity=1&receiver=TVICTIM&duration=1h&client_order_id=spent-002', busySigned);
      expect([retry.status, retry.json.code]).toEqual([200, 0]);
      expect(await balanceOf(t, credentials, trx)).toBe(100_000_000 - 162);
      expect(await t.db.query(`SELECT 1 FROM orders WHERE receiver = 'ATTACKER'`)).toHaveLength(0);
    });

    it("answers what Fastify refuses before the route runs (a malformed body, another content type) in CatFee's shape too", async () => {
      const { apiKey, apiSecret } = await newIntegrator();
      const headers = catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order');
      const malformed = await t.request('POST', `/v1/order?${exampleQuery}`, { headers, body: '{"not json' });
      expect([malformed.status, malformed.json.code, malformed.json.sub_code, typeof malformed.json.msg]).toEqual([400, 400, 'MALFORMED_JSON', 'string']);
      const plain = await t.request('POST', `/v1/order?${exampleQuery}`, { headers: { ...headers, 'content-type': 'text/plain' }, body: 'x' });
      expect([plain.status, plain.json.code, plain.json.sub_code]).toEqual([415, 415, 'UNSUPPORTED_MEDIA_TYPE']);
      expect(malformed.json.error).toBeUndefined();
    });

    it('answers a changed request, a bad signature and a stale timestamp in its own shape', async () => {
      const { credentials, apiKey, apiSecret } = await newIntegrator();
      const trx = await fundedWallet(t, credentials, 'TRX', 100_000_000);
      await t.request('POST', `/v1/order?${exampleQuery}`, { headers: catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order') });

      const changed = await t.request('POST', `/v1/order?quantity=70000&receiver=TRON_ADDRESS&duration=1h&client_order_id=abc123`, {
        headers: catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order'),
      });
      expect([changed.status, changed.json.code, changed.json.sub_code]).toEqual([422, 422, 'IDEMPOTENCY_KEY_REUSED']);
      expect(typeof changed.json.msg).toBe('string');

      const forged = { ...catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order'), 'cf-access-sign': createHmac('sha256', 'wrong').update('x').digest('base64') };
      const badSignature = await t.request('POST', `/v1/order?${exampleQuery.replace('abc123', 'abc124')}`, { headers: forged });
      expect([badSignature.status, badSignature.json.code, badSignature.json.sub_code]).toEqual([401, 401, 'UNAUTHENTICATED']);

      // Only canonical base64 of 32 bytes: nothing appended, no padding removed.
      const genuine = catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order');
      for (const sign of [`${genuine['cf-access-sign']}!!!`, genuine['cf-access-sign'].replace(/=$/, ''), `${genuine['cf-access-sign']}==`]) {
        const lenient = await t.request('POST', `/v1/order?${exampleQuery.replace('abc123', 'abc127')}`, { headers: { ...genuine, 'cf-access-sign': sign } });
        expect([lenient.status, lenient.json.code]).toEqual([401, 401]);
      }

      const stale = new Date(Date.now() - 301_000).toISOString();
      const staleReply = await t.request('POST', `/v1/order?${exampleQuery.replace('abc123', 'abc125')}`, {
        headers: catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order', stale),
      });
      expect([staleReply.status, staleReply.json.code]).toEqual([401, 401]);

      const badQuery = await t.request('POST', '/v1/order?quantity=-5&receiver=TRON_ADDRESS&duration=1y&client_order_id=abc126', {
        headers: catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order'),
      });
      expect([badQuery.status, badQuery.json.code, badQuery.json.sub_code]).toEqual([400, 400, 'VALIDATION_ERROR']);
      expect(badQuery.json.msg).toMatch(/quantity[\s\S]*duration/);

      // Only the first order moved money.
      expect(await balanceOf(t, credentials, trx)).toBe(100_000_000 - 10_530_000);
    });

    it('without client_order_id makes every request a new order: a retry signed anew buys again, the identical request is refused', async () => {
      const { credentials, apiKey, apiSecret } = await newIntegrator();
      const trx = await fundedWallet(t, credentials, 'TRX', 100_000_000);
      const query = '/v1/order?quantity=65000&receiver=TRON_ADDRESS&duration=1h';
      const captured = catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order');
      const first = await t.request('POST', query, { headers: captured });
      // Sent again as it was, nothing tells it from a captured request: a keyless signature buys once.
      const resent = await t.request('POST', query, { headers: captured });
      expect([resent.status, resent.json.sub_code]).toEqual([401, 'UNAUTHENTICATED']);
      const again = await t.request('POST', query, { headers: catFeeHeaders(apiKey, apiSecret, 'POST', '/v1/order', new Date(Date.now() + 1).toISOString()) });
      for (const reply of [first, again]) {
        expect([reply.status, reply.json.code, reply.json.sub_code, reply.json.data.client_order_id]).toEqual([200, 0, undefined, null]);
        expect(reply.headers['idempotency-key']).toBeUndefined();
      }
      expect(again.json.data.id).not.toBe(first.json.data.id);
      expect(await balanceOf(t, credentials, trx)).toBe(100_000_000 - 2 * 10_530_000);
    });
  });
});

interface WireReply {
  status: number;
  /** Header names exactly as they arrived (the first of each name). */
  headers: Record<string, string>;
  body: string;
}

/** A request over a real socket: Node's client keeps each header name as it was on the wire (rawHeaders). */
function overTheWire(port: number, path: string, headers: Record<string, string>, body: unknown): Promise<WireReply> {
  return new Promise((done, fail) => {
    const sent = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers }, (reply) => {
      let text = '';
      reply.on('data', (chunk) => (text += chunk));
      reply.on('end', () => {
        const named: Record<string, string> = {};
        for (let i = 0; i < reply.rawHeaders.length; i += 2) named[reply.rawHeaders[i]] ??= reply.rawHeaders[i + 1];
        done({ status: reply.statusCode!, headers: named, body: text });
      });
    });
    sent.on('error', fail);
    sent.end(JSON.stringify(body));
  });
}
