import { randomUUID } from 'node:crypto';
import { fundedWallet, ledgerIsBalanced } from '../support/fixtures';
import { Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

/** Every money-moving POST, fed bad input: a 4xx in the envelope, and not one minor unit moves. */
describe('bad input moves no money', () => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;
  let usd: string;
  let usd2: string;
  let bobsWallet: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.newClient('alice');
    bob = await t.newClient('bob');
    usd = await fundedWallet(t, alice, 'USD', 100_000);
    usd2 = await fundedWallet(t, alice, 'USD', 0);
    bobsWallet = await fundedWallet(t, bob, 'USD', 100_000);
  });
  afterAll(() => t.close());

  const books = async () =>
    (
      await t.db.query<{ balances: string; entries: string }>(
        `SELECT (SELECT sum(balance) FROM wallets)::text AS balances, (SELECT count(*) FROM ledger_entries)::text AS entries`,
      )
    )[0];

  const SQL = "1'; DROP TABLE wallets; --";
  /** What RefuseNulPipe answers for a NUL in the query or a path parameter (src/common/validation.pipe.ts). */
  const NUL_REFUSED = [{ field: 'request', errors: ['strings must not contain NUL (\\u0000)'] }];
  const badAmounts: unknown[] = [-1, 0, 0.5, 10.25, '100', '1e3', 9007199254740992, 1e30, -9007199254740991, null, [100], { value: 100 }, true, 'NaN'];

  const endpoints = () => {
    const order = { wallet_id: usd, product_id: 123, denomination: 1000, quantity: 1 };
    const transfer = { from_wallet_id: usd, to_wallet_id: usd2, amount: 100 };
    const payout = { wallet_id: usd, amount: 100, destination: { type: 'bank_account', account_number: '12345678' } };
    return [
      {
        path: `/v1/wallets/${usd}/deposits`,
        valid: { amount: 100 },
        bad: [...badAmounts.map((amount) => ({ amount })), {}, { amount: 100, currency: 'USD' }],
      },
      {
        path: '/v1/orders',
        valid: order,
        bad: [
          ...[-1, 0, 1.5, '2', 10_001, null, [1]].map((quantity) => ({ ...order, quantity })),
          ...badAmounts.map((denomination) => ({ ...order, denomination })),
          { ...order, wallet_id: SQL },
          { ...order, wallet_id: 42 },
          { ...order, product_id: '123' },
          { ...order, product_id: SQL },
          { ...order, receiver: 7 },
          { ...order, receiver: 'x'.repeat(256) },
          { ...order, metadata: 'not an object' },
          { ...order, price: 1 },
          { ...order, wallet_id: randomUUID() },
          { ...order, wallet_id: bobsWallet },
          { ...order, product_id: 424242 },
        ],
      },
      {
        path: '/v1/transfers',
        valid: transfer,
        bad: [
          ...badAmounts.map((amount) => ({ ...transfer, amount })),
          { ...transfer, to_wallet_id: SQL },
          { ...transfer, from_wallet_id: bobsWallet },
          { ...transfer, to_wallet_id: randomUUID() },
          { ...transfer, to_wallet_id: usd },
          { ...transfer, description: ['a'] },
          { ...transfer, fee: 1 },
          { from_wallet_id: usd, amount: 100 },
        ],
      },
      {
        path: '/v1/payouts',
        valid: payout,
        bad: [
          ...badAmounts.map((amount) => ({ ...payout, amount })),
          { ...payout, wallet_id: bobsWallet },
          { ...payout, wallet_id: SQL },
          { ...payout, destination: { type: 'bank_account', account_number: SQL } },
          { ...payout, destination: [] },
          // Found by the fuzz suite: a discriminated destination used to throw a 500 on these.
          { ...payout, destination: [null] },
          { ...payout, destination: [{ type: 'bank_account', account_number: '12345678' }] },
          { ...payout, destination: null },
          { ...payout, destination: { type: 'toString', account_number: '12345678' } },
          { ...payout, destination: { type: 'bank_account', account_number: '12345678', extra: 1 } },
          { ...payout, priority: 'high' },
        ],
      },
    ];
  };

  it('answers every bad body with a 4xx envelope and leaves the books untouched', async () => {
    const before = await books();
    let sent = 0;
    for (const endpoint of endpoints()) {
      for (const body of endpoint.bad) {
        const reply = await t.request('POST', endpoint.path, { headers: withKey(alice.headers), body });
        expect({ path: endpoint.path, body: JSON.stringify(body), status: reply.status >= 400 && reply.status < 500 }).toEqual({ path: endpoint.path, body: JSON.stringify(body), status: true });
        expect(typeof reply.json.error.code).toBe('string');
        sent++;
      }
    }
    expect(sent).toBeGreaterThan(80);
    expect(await books()).toEqual(before);
  });

  it('refuses bodies that are not a JSON object, too large, or of the wrong type', async () => {
    const before = await books();
    for (const endpoint of endpoints()) {
      const cases: Array<[string | undefined, string, number]> = [
        ['null', 'application/json', 400],
        ['[]', 'application/json', 400],
        ['"amount"', 'application/json', 400],
        ['{"amount": 100,}', 'application/json', 400],
        [JSON.stringify({ ...endpoint.valid, padding: 'x'.repeat(70_000) }), 'application/json', 413],
        [JSON.stringify(endpoint.valid), 'text/plain', 415],
        ['amount=100', 'application/x-www-form-urlencoded', 415],
        [undefined, 'application/json', 400],
      ];
      for (const [body, contentType, status] of cases) {
        const reply = await t.request('POST', endpoint.path, { headers: { ...withKey(alice.headers), 'content-type': contentType }, body: body ?? '' });
        expect({ path: endpoint.path, body: body?.slice(0, 40), status: reply.status }).toEqual({ path: endpoint.path, body: body?.slice(0, 40), status });
        expect(typeof reply.json.error.code).toBe('string');
      }
    }
    expect(await books()).toEqual(before);
  });

  it('stores SQL-looking text as plain data', async () => {
    const reply = await t.request('POST', '/v1/orders', {
      headers: withKey(alice.headers),
      body: { wallet_id: usd, product_id: 123, denomination: 1000, quantity: 1, receiver: SQL },
    });
    expect(reply.status).toBe(201);
    expect(reply.json.receiver).toBe(SQL);
    expect((await t.db.query('SELECT count(*) FROM wallets'))[0]).toEqual({ count: '3' });
    expect(await ledgerIsBalanced(t)).toBe(true);
  });

  it('refuses NUL anywhere in a body (400 VALIDATION_ERROR), on a retry too, and never lets it pose as a database-decided value', async () => {
    const before = await books();
    const key = randomUUID();
    // "\u0000currency" is how a prepared answer marks a value the database fills in (src/operations/operation.ts).
    const bodies = [
      { wallet_id: usd, product_id: 123, denomination: 1000, quantity: 1, receiver: 'a\u0000b' },
      { wallet_id: usd, product_id: 123, denomination: 1000, quantity: 1, metadata: { note: '\u0000wallet_id' } },
      { wallet_id: usd, product_id: 123, denomination: 1000, quantity: 1, metadata: { '\u0000currency': 1 } },
    ];
    for (const body of bodies) {
      for (let attempt = 0; attempt < 2; attempt++) {
        const reply = await t.request('POST', '/v1/orders', { headers: withKey(alice.headers, key), body });
        expect([reply.status, reply.json.error.code]).toEqual([400, 'VALIDATION_ERROR']);
      }
    }
    const transfer = await t.request('POST', '/v1/transfers', { headers: withKey(alice.headers), body: { from_wallet_id: usd, to_wallet_id: usd2, amount: 1, description: '\u0000currency' } });
    expect([transfer.status, transfer.json.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect(await books()).toEqual(before);
  });

  it('refuses JSON nested deeper than 32 levels with MALFORMED_JSON, even 5000 deep', async () => {
    for (const depth of [33, 5000]) {
      const nested = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      const body = `{"wallet_id":"${usd}","product_id":123,"denomination":1000,"quantity":1,"metadata":${nested}}`;
      const reply = await t.request('POST', '/v1/orders', { headers: withKey(alice.headers), body });
      expect([reply.status, reply.json.error.code]).toEqual([400, 'MALFORMED_JSON']);
    }
    const shallow = '{"a":'.repeat(30) + '1' + '}'.repeat(30);
    const allowed = await t.request('POST', '/v1/orders', { headers: withKey(alice.headers), body: `{"wallet_id":"${usd}","product_id":123,"denomination":1000,"quantity":1,"metadata":{"x":${shallow}}}` });
    expect(allowed.status).toBe(201);
  });

  it('refuses an encoded body (Content-Encoding) with 415 before parsing it, and moves nothing', async () => {
    const before = await books();
    const body = JSON.stringify({ amount: 100 });
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const reply = await t.request('POST', `/v1/wallets/${usd}/deposits`, { headers: { ...withKey(alice.headers), 'content-encoding': encoding }, body });
      expect([reply.status, reply.json.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
    expect(await books()).toEqual(before);
  });

  it('refuses NUL in query strings and path parameters with 400 VALIDATION_ERROR, not a 500', async () => {
    for (const url of ['/v1/orders?client_order_id=a%00b', `/v1/wallets/${usd}%00`, '/v1/wallets?cursor=%00']) {
      const reply = await t.request('GET', url, { headers: alice.headers });
      // The uuid check and the cursor decoding refuse with 400 too: only RefuseNulPipe's detail tells the NUL was seen.
      expect({ url, status: reply.status, code: reply.json.error.code, details: reply.json.error.details }).toEqual({ url, status: 400, code: 'VALIDATION_ERROR', details: NUL_REFUSED });
    }
  });

  it('refuses a key named twice in one object (MALFORMED_JSON) instead of keeping the last value, and moves nothing', async () => {
    const before = await books();
    for (const body of [
      '{"amount":1,"amount":7}',
      '{"amount": 1, "\\u0061mount": 7}',
      `{"wallet_id":"${usd}","product_id":123,"denomination":1000,"quantity":1,"metadata":{"a":1,"b":{"c":1,"c":2}}}`,
    ]) {
      const path = body.includes('product_id') ? '/v1/orders' : `/v1/wallets/${usd}/deposits`;
      const reply = await t.request('POST', path, { headers: withKey(alice.headers), body });
      expect({ body, status: reply.status, code: reply.json.error.code }).toEqual({ body, status: 400, code: 'MALFORMED_JSON' });
    }
    expect(await books()).toEqual(before);
    // The same key in different objects, or in a string, is no duplicate.
    const fine = await t.request('POST', '/v1/orders', {
      headers: withKey(alice.headers),
      body: `{"wallet_id":"${usd}","product_id":123,"denomination":1000,"quantity":1,"metadata":{"quantity":{"quantity":1},"note":"\\"quantity\\": 2"}}`,
    });
    expect(fine.status).toBe(201);
  });

  it('refuses a number its double would round (VALIDATION_ERROR), never taking a value the client did not send', async () => {
    const before = await books();
    const order = (metadata: string) => `{"wallet_id":"${usd}","product_id":123,"denomination":1000,"quantity":1,"metadata":${metadata}}`;
    for (const number of ['4503599627370497.5', '0.99999999999999999', '100.0000000000000001', '1e-400', '9007199254740993', '1e400', '12345678901234567890']) {
      const deposit = await t.request('POST', `/v1/wallets/${usd}/deposits`, { headers: withKey(alice.headers), body: `{"amount":${number}}` });
      const inMetadata = await t.request('POST', '/v1/orders', { headers: withKey(alice.headers), body: order(`{"n":[${number}]}`) });
      for (const reply of [deposit, inMetadata]) {
        expect({ number, status: reply.status, code: reply.json.error.code, details: reply.json.error.details }).toEqual({
          number,
          status: 400,
          code: 'VALIDATION_ERROR',
          details: [{ field: 'body', errors: [expect.stringContaining('more precision than a JSON number carries exactly')] }],
        });
      }
    }
    expect(await books()).toEqual(before);
    // Whole numbers written another way mean what they say; a fraction that stays one is the field's business.
    for (const [amount, credited] of [['100.0', 100], ['1.5e3', 1500], ['25E+1', 250]] as const) {
      const reply = await t.request('POST', `/v1/wallets/${usd}/deposits`, { headers: withKey(alice.headers), body: `{"amount":${amount}}` });
      expect([amount, reply.status, reply.json.amount]).toEqual([amount, 201, credited]);
    }
    const withFraction = await t.request('POST', '/v1/orders', { headers: withKey(alice.headers), body: order('{"rate":0.1,"big":9007199254740991}') });
    expect([withFraction.status, withFraction.json.metadata]).toEqual([201, { rate: 0.1, big: 9007199254740991 }]);
  });
});

