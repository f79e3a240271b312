import { randomUUID } from 'node:crypto';
import { whileWalletLocked } from '../support/fixtures';
import { callHeldOpen, until, untilExpired } from '../support/poll';
import { IdempotencySweeper } from '../../src/idempotency/idempotency-sweeper';
import { ADMIN_TOKEN, Credentials, Reply, startTestApp, TestApp, withKey } from '../support/test-app';

/** docs/idempotency.md's rules, row by row, against a real PostgreSQL. */
describe('idempotency contract', () => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;

  beforeAll(async () => {
    t = await startTestApp({ IDEMPOTENCY_LOCK_WAIT_MS: '1000' });
    alice = await t.newClient('alice');
    bob = await t.newClient('bob');
  });
  afterAll(() => t.close());

  const newWallet = async (who: Credentials = alice) =>
    (await t.request('POST', '/v1/wallets', { headers: who.headers, body: { currency: 'USD' } })).json.id as string;
  const balanceOf = async (walletId: string, who: Credentials = alice) =>
    (await t.request('GET', `/v1/wallets/${walletId}`, { headers: who.headers })).json.balance as number;
  const depositCount = async (walletId: string) =>
    (await t.db.query('SELECT 1 FROM deposits WHERE wallet_id = $1', [walletId])).length;
  const deposit = (walletId: string, headers: Record<string, string>, body: unknown = { amount: 100 }, query = '') =>
    t.request('POST', `/v1/wallets/${walletId}/deposits${query}`, { headers, body });
  const expectIdempotencyHeaders = (reply: Reply, key: string, replayed: boolean) => {
    expect(reply.headers['idempotency-key']).toBe(key);
    expect(reply.headers['idempotency-replayed']).toBe(String(replayed));
    expect(new Date(String(reply.headers['idempotency-created-at'])).toISOString()).toBe(reply.headers['idempotency-created-at']);
  };

  describe('replay', () => {
    it('answers a retry with the same status, the byte-identical body and the original time', async () => {
      const walletId = await newWallet();
      const key = randomUUID();
      const first = await deposit(walletId, withKey(alice.headers, key));
      const retry = await deposit(walletId, withKey(alice.headers, key));
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.body).toBe(first.body);
      expect(retry.headers['content-type']).toBe(first.headers['content-type']);
      expectIdempotencyHeaders(first, key, false);
      expectIdempotencyHeaders(retry, key, true);
      expect(retry.headers['idempotency-created-at']).toBe(first.headers['idempotency-created-at']);
      expect(await balanceOf(walletId)).toBe(100);
      expect(await depositCount(walletId)).toBe(1);
    });
  });

  describe('carriers', () => {
    it('reads the key from the header, client_order_id or accessTag, in one key space', async () => {
      const walletId = await newWallet();
      const key = `tag-${randomUUID()}`;
      const viaBody = await deposit(walletId, alice.headers, { amount: 100, accessTag: key });
      const viaHeader = await deposit(walletId, withKey(alice.headers, key), { amount: 100 });
      const viaQuery = await deposit(walletId, alice.headers, { amount: 100 }, `?client_order_id=${key}`);
      expect(viaBody.status).toBe(201);
      expect(viaHeader.body).toBe(viaBody.body);
      expect(viaQuery.body).toBe(viaBody.body);
      expect(viaQuery.headers['idempotency-replayed']).toBe('true');
      expect(await depositCount(walletId)).toBe(1);
    });

    it('accepts a structured-field (quoted) header', async () => {
      const walletId = await newWallet();
      const key = randomUUID();
      await deposit(walletId, withKey(alice.headers, `"${key}"`));
      const retry = await deposit(walletId, withKey(alice.headers, key));
      expect(retry.headers['idempotency-replayed']).toBe('true');
    });

    it('refuses carriers that disagree, and malformed keys, moving nothing', async () => {
      const walletId = await newWallet();
      const cases: Array<[Record<string, string>, unknown, string, string]> = [
        [withKey(alice.headers, 'key-one-1'), { amount: 1, accessTag: 'key-two-2' }, '', 'IDEMPOTENCY_KEY_AMBIGUOUS'],
        [withKey(alice.headers, 'key-one-1'), { amount: 1 }, '?client_order_id=key-two-2', 'IDEMPOTENCY_KEY_AMBIGUOUS'],
        [withKey(alice.headers, 'short'), { amount: 1 }, '', 'IDEMPOTENCY_KEY_TOO_SHORT'],
        [withKey(alice.headers, 'k'.repeat(257)), { amount: 1 }, '', 'IDEMPOTENCY_KEY_TOO_LONG'],
        [alice.headers, { amount: 1, accessTag: 't'.repeat(251) }, '', 'IDEMPOTENCY_KEY_TOO_LONG'],
        [withKey(alice.headers, 'with space in it'), { amount: 1 }, '', 'IDEMPOTENCY_KEY_INVALID'],
        [alice.headers, { amount: 1, accessTag: 12345678 }, '', 'IDEMPOTENCY_KEY_INVALID'],
        [alice.headers, { amount: 1 }, '', 'IDEMPOTENCY_KEY_REQUIRED'],
      ];
      for (const [headers, body, query, code] of cases) {
        const reply = await deposit(walletId, headers, body, query);
        expect([reply.status, reply.json.error.code]).toEqual([400, code]);
      }
      expect(await balanceOf(walletId)).toBe(0);
      expect(await t.db.query('SELECT 1 FROM idempotency_keys WHERE client_id = $1 AND endpoint LIKE $2', [alice.clientId, '%deposits'])).toHaveLength(
        (await t.db.query('SELECT 1 FROM deposits WHERE client_id = $1', [alice.clientId])).length,
      );
    });

    it('keeps a short client_order_id usable through its own carrier only', async () => {
      const walletId = await newWallet();
      expect((await deposit(walletId, alice.headers, { amount: 5 }, '?client_order_id=abc123')).status).toBe(201);
      expect((await deposit(walletId, alice.headers, { amount: 5 }, '?client_order_id=abc123')).headers['idempotency-replayed']).toBe('true');
      expect((await deposit(walletId, withKey(alice.headers, 'abc123'), { amount: 5 })).json.error.code).toBe('IDEMPOTENCY_KEY_TOO_SHORT');
    });
  });

  describe('required and optional', () => {
    it('makes the key optional on other POSTs, and honours it when given', async () => {
      const unkeyed = await t.request('POST', '/v1/wallets', { headers: alice.headers, body: { currency: 'EUR' } });
      expect(unkeyed.status).toBe(201);
      expect(unkeyed.headers['idempotency-key']).toBeUndefined();
      const key = randomUUID();
      const first = await t.request('POST', '/v1/wallets', { headers: withKey(alice.headers, key), body: { currency: 'EUR' } });
      const retry = await t.request('POST', '/v1/wallets', { headers: withKey(alice.headers, key), body: { currency: 'EUR' } });
      expect(retry.body).toBe(first.body);
      expect(retry.headers['idempotency-replayed']).toBe('true');
    });

    it('ignores the key on GET', async () => {
      const walletId = await newWallet();
      const read = await t.request('GET', `/v1/wallets/${walletId}`, { headers: withKey(alice.headers, 'x') });
      expect(read.status).toBe(200);
      expect(read.headers['idempotency-key']).toBeUndefined();
    });

    it('leaves admin endpoints outside the idempotency layer', async () => {
      const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'idempotency-key': randomUUID() };
      const first = await t.request('POST', '/v1/admin/clients', { headers, body: { name: 'twice' } });
      const second = await t.request('POST', '/v1/admin/clients', { headers, body: { name: 'twice' } });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.json.id).not.toBe(first.json.id);
    });
  });

  describe('scope and fingerprint', () => {
    it("never shows one client another client's response under the same key", async () => {
      const key = randomUUID();
      const aliceWallet = await newWallet(alice);
      const bobWallet = await newWallet(bob);
      const aliceReply = await deposit(aliceWallet, withKey(alice.headers, key), { amount: 100 });
      const bobReply = await deposit(bobWallet, withKey(bob.headers, key), { amount: 100 });
      expect(bobReply.status).toBe(201);
      expect(bobReply.headers['idempotency-replayed']).toBe('false');
      expect(bobReply.json.id).not.toBe(aliceReply.json.id);
      expect(await balanceOf(aliceWallet, alice)).toBe(100);
      expect(await balanceOf(bobWallet, bob)).toBe(100);
    });

    it('scopes a key per endpoint', async () => {
      const key = randomUUID();
      const wallet = await t.request('POST', '/v1/wallets', { headers: withKey(alice.headers, key), body: { currency: 'USD' } });
      const funded = await deposit(wallet.json.id, withKey(alice.headers, key));
      expect(funded.status).toBe(201);
      expect(funded.headers['idempotency-replayed']).toBe('false');
    });

    it('does not care about key order or whitespace in the body', async () => {
      const walletId = await newWallet();
      const key = randomUUID();
      const first = await deposit(walletId, withKey(alice.headers, key), '{"amount":100,"accessTag":"' + key + '"}');
      const retry = await deposit(walletId, withKey(alice.headers, key), `{ "accessTag" : "${key}",\n  "amount" : 100 }`);
      expect(retry.status).toBe(201);
      expect(retry.body).toBe(first.body);
      expect(await depositCount(walletId)).toBe(1);
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED for a different request under the same key, executing nothing', async () => {
      const walletId = await newWallet();
      const otherWallet = await newWallet();
      const key = randomUUID();
      await deposit(walletId, withKey(alice.headers, key), { amount: 100 });
      for (const [target, body] of [
        [walletId, { amount: 101 }],
        [otherWallet, { amount: 100 }],
      ] as const) {
        const reply = await deposit(target, withKey(alice.headers, key), body);
        expect(reply.status).toBe(422);
        expect(reply.json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
        expect(reply.headers['idempotency-key']).toBe(key);
        expect(reply.headers['idempotency-replayed']).toBeUndefined();
      }
      expect(await balanceOf(walletId)).toBe(100);
      expect(await balanceOf(otherWallet)).toBe(0);
    });
  });

  describe('what is stored', () => {
    it('records a domain error and replays it, with the business writes rolled back', async () => {
      const walletId = await newWallet();
      await deposit(walletId, withKey(alice.headers), { amount: Number.MAX_SAFE_INTEGER - 10 });
      const key = randomUUID();
      const first = await deposit(walletId, withKey(alice.headers, key), { amount: 11 });
      expect([first.status, first.json.error.code]).toEqual([422, 'BALANCE_LIMIT_EXCEEDED']);
      expectIdempotencyHeaders(first, key, false);
      const retry = await deposit(walletId, withKey(alice.headers, key), { amount: 11 });
      expect(retry.status).toBe(422);
      expect(retry.body).toBe(first.body);
      expectIdempotencyHeaders(retry, key, true);
      expect(await depositCount(walletId)).toBe(1);
    });

    it('records a 404 for an unknown wallet', async () => {
      const key = randomUUID();
      const missing = '01a20663-f70e-7725-85f2-f0b808c122fe';
      const first = await deposit(missing, withKey(alice.headers, key));
      const retry = await deposit(missing, withKey(alice.headers, key));
      expect([first.status, retry.status]).toEqual([404, 404]);
      expect(retry.headers['idempotency-replayed']).toBe('true');
    });

    it('does not record a body validation error: the corrected retry executes', async () => {
      const walletId = await newWallet();
      const key = randomUUID();
      expect((await deposit(walletId, withKey(alice.headers, key), { amount: -1 })).status).toBe(400);
      const fixed = await deposit(walletId, withKey(alice.headers, key), { amount: 1 });
      expect(fixed.status).toBe(201);
      expect(fixed.headers['idempotency-replayed']).toBe('false');
    });

    it('does not record a 500: after fail-before-commit the retry executes once', async () => {
      const walletId = await newWallet();
      const key = randomUUID();
      const failed = await deposit(walletId, { ...withKey(alice.headers, key), 'x-sandbox-fault': 'fail-before-commit' });
      expect(failed.status).toBe(500);
      expect(await balanceOf(walletId)).toBe(0);
      expect(await t.db.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [key])).toHaveLength(0);
      const retry = await deposit(walletId, withKey(alice.headers, key));
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotency-replayed']).toBe('false');
      expect((await deposit(walletId, withKey(alice.headers, key))).headers['idempotency-replayed']).toBe('true');
      expect(await balanceOf(walletId)).toBe(100);
    });

    it('answers RESOURCE_BUSY when the wallet stays locked, records nothing, and the same key then succeeds', async () => {
      const walletId = await newWallet();
      const key = randomUUID();
      await whileWalletLocked(t, walletId, async () => {
        const busy = await deposit(walletId, withKey(alice.headers, key));
        expect(busy.status).toBe(409);
        expect(busy.json.error.code).toBe('RESOURCE_BUSY');
        expect(busy.headers['retry-after']).toBe('1');
        expect(busy.headers['idempotency-key']).toBe(key);
      });
      expect(await t.db.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [key])).toHaveLength(0);
      const retry = await deposit(walletId, withKey(alice.headers, key));
      expect(retry.status).toBe(201);
      expect(await balanceOf(walletId)).toBe(100);
    });
  });

  describe('concurrency', () => {
    it('turns 100 concurrent identical requests into one effect and identical bodies', async () => {
      const walletId = await newWallet();
      const key = randomUUID();
      const replies = await Promise.all(Array.from({ length: 100 }, () => deposit(walletId, withKey(alice.headers, key))));
      expect(new Set(replies.map((r) => r.status))).toEqual(new Set([201]));
      expect(new Set(replies.map((r) => r.body)).size).toBe(1);
      expect(replies.filter((r) => r.headers['idempotency-replayed'] === 'false')).toHaveLength(1);
      expect(await balanceOf(walletId)).toBe(100);
      expect(await depositCount(walletId)).toBe(1);
    });

    it('turns 50 concurrent identical refused requests into one recorded refusal and identical bodies', async () => {
      // A refusal rolls its transaction back, claim included, then records the answer under a new
      // claim: the duplicates queued on the key get their turn in between, and must still agree.
      const walletId = await newWallet();
      await deposit(walletId, withKey(alice.headers), { amount: Number.MAX_SAFE_INTEGER - 10 });
      const key = randomUUID();
      const replies = await Promise.all(Array.from({ length: 50 }, () => deposit(walletId, withKey(alice.headers, key), { amount: 11 })));
      expect(new Set(replies.map((r) => `${r.status} ${r.json.error.code}`))).toEqual(new Set(['422 BALANCE_LIMIT_EXCEEDED']));
      expect(new Set(replies.map((r) => r.body)).size).toBe(1);
      expect(new Set(replies.map((r) => r.headers['idempotency-created-at'])).size).toBe(1);
      expect(replies.filter((r) => r.headers['idempotency-replayed'] === 'false')).toHaveLength(1);
      expect(await balanceOf(walletId)).toBe(Number.MAX_SAFE_INTEGER - 10);
      expect(await depositCount(walletId)).toBe(1);
    });

    it('makes a duplicate wait for the first transaction, then replay its answer', async () => {
      const walletId = await newWallet();
      const key = randomUUID();
      const held = deposit(walletId, { ...withKey(alice.headers, key), 'x-sandbox-fault': 'delay=500' });
      // The duplicate is sent once the first one's call has claimed the key and is held open.
      await until(() => callHeldOpen(t.db, 'deposit'));
      const [first, duplicate] = await Promise.all([held, deposit(walletId, withKey(alice.headers, key))]);
      expect(duplicate.status).toBe(201);
      expect(duplicate.body).toBe(first.body);
      expect(duplicate.headers['idempotency-replayed']).toBe('true');
    });

    it('gives up waiting after IDEMPOTENCY_LOCK_WAIT_MS with 409 IDEMPOTENCY_KEY_IN_USE and Retry-After', async () => {
      const walletId = await newWallet();
      const key = randomUUID();
      const held = deposit(walletId, { ...withKey(alice.headers, key), 'x-sandbox-fault': 'delay=2500' });
      await until(() => callHeldOpen(t.db, 'deposit'));
      const waitedFrom = Date.now();
      const duplicate = await deposit(walletId, withKey(alice.headers, key));
      expect(Date.now() - waitedFrom).toBeGreaterThanOrEqual(900);
      expect(duplicate.status).toBe(409);
      expect(duplicate.json.error.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      expect(duplicate.headers['retry-after']).toBe('1');
      expect(duplicate.headers['idempotency-key']).toBe(key);
      expect(duplicate.headers['idempotency-replayed']).toBeUndefined();
      expect((await held).status).toBe(201);
      expect((await deposit(walletId, withKey(alice.headers, key))).headers['idempotency-replayed']).toBe('true');
      expect(await balanceOf(walletId)).toBe(100);
    });

    it('refuses an unknown sandbox fault', async () => {
      const walletId = await newWallet();
      const reply = await deposit(walletId, { ...withKey(alice.headers), 'x-sandbox-fault': 'explode' });
      expect(reply.status).toBe(400);
      expect(reply.json.error.details[0].field).toBe('X-Sandbox-Fault');
    });
  });

  describe('inspection', () => {
    it("shows the caller's own records under a key, and nobody else's", async () => {
      const key = randomUUID();
      const walletId = await newWallet();
      await deposit(walletId, withKey(alice.headers, key));
      const own = await t.request('GET', `/v1/idempotency-keys/${key}`, { headers: alice.headers });
      expect(own.status).toBe(200);
      expect(own.json.data).toEqual([
        {
          key,
          endpoint: 'POST /v1/wallets/:id/deposits',
          state: 'COMPLETED',
          response_status: 201,
          created_at: expect.any(String),
          expires_at: expect.any(String),
        },
      ]);
      expect((await t.request('GET', `/v1/idempotency-keys/${key}`, { headers: bob.headers })).status).toBe(404);
    });
  });
});

describe('idempotency retention', () => {
  let t: TestApp;
  let alice: Credentials;
  beforeAll(async () => {
    t = await startTestApp({ IDEMPOTENCY_TTL_SECONDS: '1' });
    alice = await t.newClient();
  });
  afterAll(() => t.close());

  it('treats an expired key as new, and the sweeper deletes expired records', async () => {
    const walletId = (await t.request('POST', '/v1/wallets', { headers: withKey(alice.headers), body: { currency: 'USD' } })).json.id;
    const key = randomUUID();
    const send = () => t.request('POST', `/v1/wallets/${walletId}/deposits`, { headers: withKey(alice.headers, key), body: { amount: 7 } });
    const first = await send();
    expect(first.status).toBe(201);
    // Replayed twice: the second comes from the replay cache, which must forget it with the record.
    for (let replay = 0; replay < 2; replay++) expect((await send()).headers['idempotency-replayed']).toBe('true');
    await untilExpired(t.db, key);

    const expired = await t.request('GET', `/v1/idempotency-keys/${key}`, { headers: alice.headers });
    expect(expired.json.data[0].state).toBe('EXPIRED');
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers['idempotency-replayed']).toBe('false');
    expect(again.json.id).not.toBe(first.json.id);
    expect((await t.request('GET', `/v1/wallets/${walletId}`, { headers: alice.headers })).json.balance).toBe(14);

    await untilExpired(t.db);
    // Two records: the wallet's, and the deposit key's (renewed in place when it expired).
    expect(await t.app.get(IdempotencySweeper).sweep()).toBe(2);
    expect(await t.db.query('SELECT 1 FROM idempotency_keys')).toHaveLength(0);
  });
});
