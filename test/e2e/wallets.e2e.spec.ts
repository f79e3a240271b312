import { randomUUID } from 'node:crypto';
import { recordStatements } from '../support/round-trips';
import { ADMIN_TOKEN, Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

describe('wallets, deposits and the ledger', () => {
  let t: TestApp;
  let alice: Credentials;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.newClient();
  });
  afterAll(() => t.close());

  const createWallet = async (body: Record<string, unknown> = { currency: 'USD' }) => {
    const reply = await t.request('POST', '/v1/wallets', { headers: alice.headers, body });
    expect(reply.status).toBe(201);
    return reply.json;
  };
  const deposit = (walletId: string, amount: unknown) =>
    t.request('POST', `/v1/wallets/${walletId}/deposits`, { headers: withKey(alice.headers), body: { amount } });
  const ledgerCheck = async () =>
    (await t.request('GET', '/v1/admin/ledger/check', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json;

  it('changes a wallet with PATCH, idempotently like a POST, in one call, and only the fields named', async () => {
    const wallet = await createWallet({ currency: 'USD', external_id: 'before', metadata: { team: 'ops' } });
    const key = randomUUID();
    const patch = (body: unknown, headers = withKey(alice.headers, key)) => t.request('PATCH', `/v1/wallets/${wallet.id}`, { headers, body });
    let changed = await patch({ external_id: 'after' });
    const sent = await recordStatements(t, async () => (changed = await patch({ accepts_external_transfers: true }, withKey(alice.headers))));
    expect(sent).toHaveLength(1);
    expect([changed.status, changed.headers['idempotency-replayed']]).toEqual([200, 'false']);
    expect(changed.json).toEqual({ ...wallet, external_id: 'after', accepts_external_transfers: true });
    expect((await t.request('GET', `/v1/wallets/${wallet.id}`, { headers: alice.headers })).json).toEqual(changed.json);
    // The first key's retry replays its own answer; the same key for another change is refused.
    const replay = await patch({ external_id: 'after' });
    expect([replay.status, replay.headers['idempotency-replayed'], replay.json.external_id]).toEqual([200, 'true', 'after']);
    expect((await patch({ external_id: 'other' })).json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // null clears; another client's wallet does not exist; nothing else is accepted.
    const cleared = await patch({ metadata: null }, withKey(alice.headers));
    expect(cleared.json.metadata).toBeNull();
    const bob = await t.newClient('bob-patch');
    expect((await t.request('PATCH', `/v1/wallets/${wallet.id}`, { headers: withKey(bob.headers), body: { external_id: 'x' } })).status).toBe(404);
    expect((await patch({ balance: 1_000_000 }, withKey(alice.headers))).status).toBe(400);
    // The flag is yes or no: null is invalid input (it once reached the column's NOT NULL as a 500).
    const nulled = await patch({ accepts_external_transfers: null }, withKey(alice.headers));
    expect([nulled.status, nulled.json.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect((await t.request('GET', `/v1/wallets/${wallet.id}`, { headers: alice.headers })).json.accepts_external_transfers).toBe(true);
    expect((await t.request('GET', `/v1/wallets/${wallet.id}`, { headers: alice.headers })).json.balance).toBe(0);
  });

  it('creates a wallet with the contract shape', async () => {
    const wallet = await createWallet({ currency: 'TRX', external_id: 'ext-1', metadata: { team: 'ops' } });
    expect(wallet).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      currency: 'TRX',
      balance: 0,
      external_id: 'ext-1',
      metadata: { team: 'ops' },
      accepts_external_transfers: false,
      created_at: expect.any(String),
    });
    const read = await t.request('GET', `/v1/wallets/${wallet.id}`, { headers: alice.headers });
    expect(read.status).toBe(200);
    expect(read.json).toEqual(wallet);
  });

  it('refuses unknown currencies and metadata that is not an object', async () => {
    for (const body of [{ currency: 'ABC' }, { currency: 'USD', metadata: [1] }, { currency: 'USD', metadata: 'x' }, {}]) {
      const reply = await t.request('POST', '/v1/wallets', { headers: alice.headers, body });
      expect(reply.status).toBe(400);
      expect(reply.json.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('credits deposits, records double entries and lists them newest first', async () => {
    const wallet = await createWallet();
    expect((await deposit(wallet.id, 1500)).json).toMatchObject({ amount: 1500, balance_after: 1500, currency: 'USD' });
    const second = await deposit(wallet.id, 250);
    expect(second.status).toBe(201);
    expect(second.json.balance_after).toBe(1750);

    expect((await t.request('GET', `/v1/wallets/${wallet.id}`, { headers: alice.headers })).json.balance).toBe(1750);
    const entries = await t.request('GET', `/v1/wallets/${wallet.id}/transactions`, { headers: alice.headers });
    expect(entries.json.data.map((e: { amount: number; balance_after: number }) => [e.amount, e.balance_after])).toEqual([
      [250, 1750],
      [1500, 1500],
    ]);
    expect(entries.json.data[0]).toMatchObject({ type: 'DEPOSIT', reference_type: 'DEPOSIT', reference_id: second.json.id });

    // The other leg of each deposit sits on the FUNDING system account, with the client's id.
    const legs = await t.db.query<{ system_account: string; amount: string; client_id: string }>(
      `SELECT system_account, amount::text, client_id FROM ledger_entries WHERE reference_id = $1 ORDER BY amount`,
      [second.json.id],
    );
    expect(legs).toEqual([
      { system_account: 'FUNDING', amount: '-250', client_id: alice.clientId },
      { system_account: null, amount: '250', client_id: alice.clientId },
    ]);
  });

  it('refuses amounts that are not positive safe integers, and moves nothing', async () => {
    const wallet = await createWallet();
    for (const amount of [0, -5, 1.5, '100', null, 9007199254740992, 1e30, [100], { v: 1 }]) {
      const reply = await deposit(wallet.id, amount);
      expect(reply.status).toBe(400);
      expect(reply.json.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await t.request('GET', `/v1/wallets/${wallet.id}`, { headers: alice.headers })).json.balance).toBe(0);
  });

  it('answers BALANCE_LIMIT_EXCEEDED instead of passing 2^53-1', async () => {
    const wallet = await createWallet();
    expect((await deposit(wallet.id, Number.MAX_SAFE_INTEGER)).status).toBe(201);
    const over = await deposit(wallet.id, 1);
    expect(over.status).toBe(422);
    expect(over.json.error.code).toBe('BALANCE_LIMIT_EXCEEDED');
    expect((await t.request('GET', `/v1/wallets/${wallet.id}`, { headers: alice.headers })).json.balance).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it('answers NOT_FOUND for a deposit to an unknown wallet', async () => {
    const reply = await deposit('01a20663-f70e-7725-85f2-f0b808c122fe', 10);
    expect(reply.status).toBe(404);
    expect(reply.json.error.code).toBe('NOT_FOUND');
  });

  it('paginates with an opaque cursor, without gaps or repeats', async () => {
    const bob = await t.newClient('paginated');
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      created.push((await t.request('POST', '/v1/wallets', { headers: bob.headers, body: { currency: 'EUR' } })).json.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/wallets?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.request('GET', url, { headers: bob.headers });
      expect(page.status).toBe(200);
      seen.push(...page.json.data.map((w: { id: string }) => w.id));
      cursor = page.json.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());

    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=not-a-cursor']) {
      const reply = await t.request('GET', `/v1/wallets?${query}`, { headers: bob.headers });
      expect(reply.status).toBe(400);
      expect(reply.json.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('keeps the books balanced, and the check notices when they are not', async () => {
    const healthy = await ledgerCheck();
    expect(healthy.ok).toBe(true);
    expect(healthy.mismatches).toEqual([]);
    expect(healthy.currencies.map((c: { sum: string }) => c.sum)).toEqual(healthy.currencies.map(() => '0'));

    // Tamper with one balance behind the service's back.
    const wallet = await createWallet();
    await deposit(wallet.id, 100);
    await t.db.query('UPDATE wallets SET balance = balance + 1 WHERE id = $1', [wallet.id]);
    const broken = await ledgerCheck();
    expect(broken.ok).toBe(false);
    expect(broken.mismatches).toEqual([
      { client_id: alice.clientId, wallet_id: wallet.id, currency: 'USD', balance: '101', entries_sum: '100' },
    ]);
    expect(broken.currencies.find((c: { currency: string }) => c.currency === 'USD').sum).toBe('1');
    await t.db.query('UPDATE wallets SET balance = balance - 1 WHERE id = $1', [wallet.id]);
  });

  it('is guarded by the database itself: no negative balance, no one-legged system entry', async () => {
    const wallet = await createWallet();
    await expect(t.db.query('UPDATE wallets SET balance = -1 WHERE id = $1', [wallet.id])).rejects.toThrow(/check constraint/);
    await expect(
      t.db.query(
        `INSERT INTO ledger_entries (client_id, wallet_id, system_account, currency, type, amount, balance_after, reference_type, reference_id)
         VALUES ($1, $2, 'FUNDING', 'USD', 'X', 1, 1, 'X', gen_random_uuid())`,
        [alice.clientId, wallet.id],
      ),
    ).rejects.toThrow(/check constraint/);
  });
});
