import { recordStatements } from '../support/round-trips';
import { ADMIN_TOKEN, Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

describe('clients and authentication', () => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.newClient('alice');
    bob = await t.newClient('bob');
  });
  afterAll(() => t.close());

  it('issues a key and a 256-bit secret, and stores only the secret hash', async () => {
    const reply = await t.request('POST', '/v1/admin/clients', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: { name: 'carol' },
    });
    expect(reply.status).toBe(201);
    expect(Object.keys(reply.json).sort()).toEqual(['api_key', 'api_secret', 'id', 'name']);
    expect(Buffer.from(reply.json.api_secret.replace(/^sk_/, ''), 'base64url')).toHaveLength(32);
    const [row] = await t.db.query<{ secret_hash: Buffer; dump: string }>(
      `SELECT secret_hash, row_to_json(clients)::text AS dump FROM clients WHERE id = $1`,
      [reply.json.id],
    );
    expect(row.secret_hash).toHaveLength(32);
    expect(row.dump).not.toContain(reply.json.api_secret.slice(3));
  });

  it('refuses an unknown key and a wrong secret alike', async () => {
    const unknownKey = await t.request('GET', '/v1/wallets', {
      headers: { 'x-api-key': 'ak_nope', 'x-api-secret': alice.headers['x-api-secret'] },
    });
    const wrongSecret = await t.request('GET', '/v1/wallets', {
      headers: { 'x-api-key': alice.headers['x-api-key'], 'x-api-secret': bob.headers['x-api-secret'] },
    });
    for (const reply of [unknownKey, wrongSecret]) {
      expect(reply.status).toBe(401);
      expect(reply.json.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a wrong secret even after the right one was cached', async () => {
    expect((await t.request('GET', '/v1/wallets', { headers: alice.headers })).status).toBe(200);
    const reply = await t.request('GET', '/v1/wallets', {
      headers: { ...alice.headers, 'x-api-secret': `${alice.headers['x-api-secret']}x` },
    });
    expect(reply.status).toBe(401);
  });

  it('refuses the admin API without the right bearer token', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN} extra`, `Bearer  ${ADMIN_TOKEN}`, ` Bearer ${ADMIN_TOKEN}`, `bearer ${ADMIN_TOKEN}`]) {
      const reply = await t.request('POST', '/v1/admin/clients', {
        headers: authorization ? { authorization } : {},
        body: { name: 'mallory' },
      });
      expect(reply.status).toBe(401);
    }
    // Client credentials are not admin credentials.
    expect((await t.request('GET', '/v1/admin/ledger/check', { headers: alice.headers })).status).toBe(401);
  });

  it('accepts Authorization: Bearer <api_secret> alone, and keeps it apart from the admin token', async () => {
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const listed = await t.request('GET', '/v1/wallets', { headers: bearer(alice.headers['x-api-secret']) });
    expect(listed.status).toBe(200);
    const created = await t.request('POST', '/v1/wallets', { headers: bearer(bob.headers['x-api-secret']), body: { currency: 'USD' } });
    expect(created.status).toBe(201);
    // The secret names its client: bob's wallet is bob's, not alice's.
    expect((await t.request('GET', `/v1/wallets/${created.json.id}`, { headers: bob.headers })).status).toBe(200);
    expect((await t.request('GET', `/v1/wallets/${created.json.id}`, { headers: bearer(alice.headers['x-api-secret']) })).status).toBe(404);

    for (const authorization of [`Bearer ${alice.headers['x-api-secret']}x`, `Bearer ${ADMIN_TOKEN}`, `bearer ${alice.headers['x-api-secret']}`, `Bearer  ${alice.headers['x-api-secret']}`, `Bearer ${alice.headers['x-api-key']}`]) {
      const refused = await t.request('GET', '/v1/wallets', { headers: { authorization } });
      expect([refused.status, refused.json.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
    // A client's secret is no admin token, and the admin token still is one.
    expect((await t.request('GET', '/v1/admin/ledger/check', { headers: bearer(alice.headers['x-api-secret']) })).status).toBe(401);
    expect((await t.request('GET', '/v1/admin/ledger/check', { headers: bearer(ADMIN_TOKEN) })).status).toBe(200);
    // X-API-Key present: the key and its secret decide, whatever Authorization says.
    const mixed = await t.request('GET', '/v1/wallets', { headers: { 'x-api-key': alice.headers['x-api-key'], 'x-api-secret': 'sk_wrong', ...bearer(alice.headers['x-api-secret']) } });
    expect(mixed.status).toBe(401);
  });

  it('finds a bearer secret by an index on its hash, not by reading the clients table', async () => {
    await t.db.query(`INSERT INTO clients (id, name, api_key, secret_hash) SELECT gen_random_uuid(), 'filler', 'ak_filler' || n, sha256(('sk_filler' || n)::bytea) FROM generate_series(1, 5000) n`);
    await t.db.query('ANALYZE clients');
    const plan = await t.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM clients WHERE secret_hash = sha256('sk_probe'::bytea)`);
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Index Scan using clients_by_secret_hash/);
    expect((await t.request('GET', '/v1/wallets', { headers: { authorization: `Bearer ${alice.headers['x-api-secret']}` } })).status).toBe(200);
  });

  it("gives another client's wallet a 404, for reads and for deposits", async () => {
    const wallet = await t.request('POST', '/v1/wallets', { headers: alice.headers, body: { currency: 'EUR' } });
    const read = await t.request('GET', `/v1/wallets/${wallet.json.id}`, { headers: bob.headers });
    const entries = await t.request('GET', `/v1/wallets/${wallet.json.id}/transactions`, { headers: bob.headers });
    const deposit = await t.request('POST', `/v1/wallets/${wallet.json.id}/deposits`, { headers: withKey(bob.headers), body: { amount: 100 } });
    for (const reply of [read, entries, deposit]) {
      expect(reply.status).toBe(404);
      expect(reply.json.error.code).toBe('NOT_FOUND');
    }
    const bobsList = await t.request('GET', '/v1/wallets', { headers: bob.headers });
    expect(bobsList.json.data.map((w: { id: string }) => w.id)).not.toContain(wallet.json.id);
    const [{ balance }] = await t.db.query<{ balance: string }>('SELECT balance::text FROM wallets WHERE id = $1', [wallet.json.id]);
    expect(balance).toBe('0');
  });

  it('answers health checks without credentials', async () => {
    expect((await t.request('GET', '/health')).status).toBe(200);
    const ready = await t.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.json.details.database.status).toBe('up');
  });
});

describe('admin API switched off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN: '' });
  });
  afterAll(() => t.close());

  it('answers 404 when no ADMIN_TOKEN is set', async () => {
    const reply = await t.request('POST', '/v1/admin/clients', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: { name: 'x' },
    });
    expect(reply.status).toBe(404);
    expect(reply.json.error.code).toBe('NOT_FOUND');
  });
});

describe('failed authentication', () => {
  let t: TestApp;
  let alice: Credentials;
  const FAILURES = 5;

  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAILURES_PER_MINUTE: String(FAILURES) });
    alice = await t.newClient('alice');
  });
  afterAll(() => t.close());

  const from = (remoteAddress: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: '/v1/wallets', headers, remoteAddress }).then((reply) => ({ status: reply.statusCode, headers: reply.headers, json: JSON.parse(reply.body) }));

  it('is throttled per source address: past the bound, 429 with Retry-After before any credential is looked at', async () => {
    const guesses: Array<Record<string, string>> = [
      { 'x-api-key': 'ak_unknown0000000000000000', 'x-api-secret': 'sk_guess' },
      { 'x-api-key': alice.headers['x-api-key'], 'x-api-secret': 'sk_wrong' },
      { authorization: 'Bearer sk_guess' },
    ];
    for (let attempt = 0; attempt < FAILURES; attempt++) {
      expect((await from('203.0.113.7', guesses[attempt % guesses.length])).status).toBe(401);
    }
    const blocked = await from('203.0.113.7', guesses[0]);
    expect([blocked.status, blocked.json.error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // While blocked, that address gets nothing, not even with good credentials; every other address is served.
    expect((await from('203.0.113.7', alice.headers)).status).toBe(429);
    expect((await from('198.51.100.9', alice.headers)).status).toBe(200);
    // Wrong admin tokens count too.
    for (let attempt = 0; attempt < FAILURES; attempt++) {
      const reply = await t.app.inject({ method: 'POST', url: '/v1/admin/clients', headers: { authorization: 'Bearer wrong-admin-token-x' }, payload: { name: 'm' }, remoteAddress: '192.0.2.44' });
      expect(reply.statusCode).toBe(401);
    }
    const admin = await t.app.inject({ method: 'POST', url: '/v1/admin/clients', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { name: 'm' }, remoteAddress: '192.0.2.44' });
    expect(admin.statusCode).toBe(429);
  });

  it('holds a burst of admin token guesses sent at once to the bound, and refuses the right token inside it', async () => {
    const guess = (token: string) =>
      t.app.inject({ method: 'POST', url: '/v1/admin/clients', headers: { authorization: `Bearer ${token}` }, payload: { name: 'burst' }, remoteAddress: '192.0.2.77' });
    const burst = await Promise.all([...Array.from({ length: 40 }, (_, i) => guess(`wrong-admin-token-${i}`)), guess(ADMIN_TOKEN)]);
    const statuses = burst.map((reply) => reply.statusCode);
    expect(statuses.filter((status) => status === 401)).toHaveLength(FAILURES);
    expect(statuses.filter((status) => status === 429)).toHaveLength(41 - FAILURES);
    expect(await t.db.query(`SELECT 1 FROM clients WHERE name = 'burst'`)).toHaveLength(0);
  });

  it('counts wrong bearer secrets as failed authentications', async () => {
    for (let attempt = 0; attempt < FAILURES; attempt++) {
      expect((await from('203.0.113.50', { authorization: `Bearer sk_guess${attempt}` })).status).toBe(401);
    }
    expect((await from('203.0.113.50', { authorization: `Bearer ${alice.headers['x-api-secret']}` })).status).toBe(429);
    expect((await from('203.0.113.51', { authorization: `Bearer ${alice.headers['x-api-secret']}` })).status).toBe(200);
  });

  it('remembers an unknown key briefly: a flood of the same unknown key reaches the database once', async () => {
    const unknown = { 'x-api-key': 'ak_neverissued00000000000', 'x-api-secret': 'sk_x' };
    expect((await from('198.51.100.10', unknown)).status).toBe(401);
    const sent = await recordStatements(t, () => from('198.51.100.11', unknown));
    expect(sent).toEqual([]);
  });
});

describe('failed authentication behind a load balancer', () => {
  const FAILURES = 3;
  const wrongSecret = { 'x-api-key': 'ak_unknown0000000000000000', 'x-api-secret': 'sk_guess' };
  /** Every request arrives from the balancer's address, naming its client in X-Forwarded-For. */
  const viaBalancer = (t: TestApp, client: string) =>
    t.app.inject({ method: 'GET', url: '/v1/wallets', headers: { ...wrongSecret, 'x-forwarded-for': client }, remoteAddress: '10.0.0.5' }).then((reply) => reply.statusCode);

  it('counts per client address when TRUST_PROXY names the balancer', async () => {
    const t = await startTestApp({ AUTH_FAILURES_PER_MINUTE: String(FAILURES), TRUST_PROXY: '10.0.0.0/8' });
    try {
      for (let attempt = 0; attempt < FAILURES; attempt++) expect(await viaBalancer(t, '203.0.113.7')).toBe(401);
      expect(await viaBalancer(t, '203.0.113.7')).toBe(429);
      expect(await viaBalancer(t, '198.51.100.9')).toBe(401);
    } finally {
      await t.close();
    }
  });

  it("ignores X-Forwarded-For from anyone else: the connection's address is counted", async () => {
    const t = await startTestApp({ AUTH_FAILURES_PER_MINUTE: String(FAILURES) });
    try {
      for (let attempt = 0; attempt < FAILURES; attempt++) expect(await viaBalancer(t, `203.0.113.${attempt}`)).toBe(401);
      expect(await viaBalancer(t, '198.51.100.9')).toBe(429);
    } finally {
      await t.close();
    }
  });
});

