import { randomUUID } from 'node:crypto';
import { ledgerIsBalanced } from '../support/fixtures';
import { recordStatements } from '../support/round-trips';
import { ADMIN_TOKEN, Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

/** In production money enters only through the operator's credits; sandbox deposits do not exist there. */
describe('operator credits in production', () => {
  let t: TestApp;
  let alice: Credentials;
  let walletId: string;
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const credit = (wallet: string, body: unknown, headers: Record<string, string> = withKey(admin)) =>
    t.request('POST', `/v1/admin/wallets/${wallet}/credits`, { headers, body });
  const balance = async () => (await t.request('GET', `/v1/wallets/${walletId}`, { headers: alice.headers })).json.balance;

  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production', CREDENTIALS_KEY: Buffer.alloc(32, 9).toString('base64') });
    alice = await t.newClient('alice');
    walletId = (await t.request('POST', '/v1/wallets', { headers: alice.headers, body: { currency: 'USD' } })).json.id;
  });
  afterAll(() => t.close());

  it('has no sandbox deposits: 404 whatever is sent, as for an unknown route, and nothing moves', async () => {
    const path = `/v1/wallets/${walletId}/deposits`;
    for (const [headers, body] of [
      [withKey(alice.headers), { amount: 100 }],
      // Nothing else is looked at first: not the key, the body or the credentials.
      [alice.headers, { amount: 100 }],
      [{ ...alice.headers, 'idempotency-key': 'short' }, { amount: 100 }],
      [withKey(alice.headers), { amount: -5 }],
      [{}, { amount: 100 }],
    ] as const) {
      const reply = await t.request('POST', path, { headers: { ...headers }, body });
      expect([reply.status, reply.json.error.code]).toEqual([404, 'NOT_FOUND']);
    }
    expect(await balance()).toBe(0);
  });

  it('credits a wallet once per key, in one call, against FUNDING, with the owner seeing the entry', async () => {
    const key = randomUUID();
    let first = await credit(walletId, { amount: 2500, reference: 'bank-4711' }, withKey(admin, key));
    const sent = await recordStatements(t, async () => (first = await credit(walletId, { amount: 2500, reference: 'bank-4712' })));
    expect(sent).toHaveLength(1);
    expect(first.status).toBe(201);
    expect(first.json).toEqual({
      id: expect.any(String),
      wallet_id: walletId,
      amount: 2500,
      currency: 'USD',
      balance_after: 5000,
      reference: 'bank-4712',
      created_at: expect.any(String),
    });
    const replay = await credit(walletId, { amount: 2500, reference: 'bank-4711' }, withKey(admin, key));
    expect([replay.status, replay.headers['idempotency-replayed']]).toEqual([201, 'true']);
    const changed = await credit(walletId, { amount: 9999, reference: 'bank-4711' }, withKey(admin, key));
    expect([changed.status, changed.json.error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await balance()).toBe(5000);
    const entries = await t.request('GET', `/v1/wallets/${walletId}/transactions`, { headers: alice.headers });
    expect(entries.json.data[0]).toMatchObject({ type: 'DEPOSIT', amount: 2500, reference_type: 'DEPOSIT', reference_id: first.json.id });
    expect(await ledgerIsBalanced(t)).toBe(true);
  });

  it('refuses a missing key, a client, a wrong or loose admin token, and records an unknown wallet', async () => {
    const missing = await credit(walletId, { amount: 1, reference: 'x' }, admin);
    expect([missing.status, missing.json.error.code]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED']);
    for (const headers of [withKey(alice.headers), withKey({ authorization: 'Bearer wrong-admin-token' }), withKey({ authorization: `Bearer ${ADMIN_TOKEN} x` })]) {
      const refused = await credit(walletId, { amount: 1, reference: 'x' }, headers);
      expect(refused.status).toBe(401);
    }
    const key = randomUUID();
    const unknownWallet = randomUUID();
    const unknown = await credit(unknownWallet, { amount: 1, reference: 'x' }, withKey(admin, key));
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'NOT_FOUND']);
    // Recorded under the operator's key: the retry is its replay.
    const again = await credit(unknownWallet, { amount: 1, reference: 'x' }, withKey(admin, key));
    expect([again.status, again.headers['idempotency-replayed'], again.body]).toEqual([404, 'true', unknown.body]);
    expect((await t.request('GET', `/v1/idempotency-keys/${key}`, { headers: alice.headers })).status).toBe(404);
    expect(await balance()).toBe(5000);
  });
});
