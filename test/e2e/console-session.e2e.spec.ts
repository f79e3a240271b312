import { RequestLog } from '../../src/request-log/request-log';
import { untilLogged } from '../support/request-log';
import { Credentials, startTestApp, TestApp } from '../support/test-app';

/** The console's session: one more credential of the auth guard (docs/console.md). */
describe('console sessions', () => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;

  beforeAll(async () => {
    t = await startTestApp({ CONSOLE_SESSION_TTL_SECONDS: '3' });
    alice = await t.newClient('alice');
    bob = await t.newClient('bob');
  });
  afterAll(() => t.close());

  async function signIn(who: Credentials, headers: Record<string, string> = {}): Promise<{ cookie: string; setCookie: string }> {
    const reply = await t.request('POST', '/console/session', { headers: { ...who.headers, ...headers } });
    expect(reply.status).toBe(201);
    const setCookie = String(reply.headers['set-cookie']);
    return { cookie: setCookie.split(';')[0], setCookie };
  }

  it('signs in with the API key and secret: an HttpOnly, SameSite=Strict cookie, Secure over https', async () => {
    const reply = await t.request('POST', '/console/session', { headers: alice.headers });
    expect(reply.json).toEqual({ client: { id: alice.clientId, name: 'alice' }, expires_at: expect.any(String) });
    expect(reply.headers['set-cookie']).toMatch(/^ledgerline_console=[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}; Max-Age=3; Path=\/; HttpOnly; SameSite=Strict$/);
    expect((await signIn(alice, { 'x-forwarded-proto': 'https' })).setCookie).toMatch(/; Secure; SameSite=Strict$/);
    const wrong = await t.request('POST', '/console/session', { headers: { ...alice.headers, 'x-api-secret': 'sk_wrong' } });
    expect([wrong.status, wrong.headers['set-cookie']]).toEqual([401, undefined]);
  });

  it('authenticates the JSON API as that client only, and its own requests are not logged', async () => {
    const { cookie } = await signIn(alice);
    const wallet = await t.request('POST', '/v1/wallets', { headers: alice.headers, body: { currency: 'EUR' } });
    const mine = await t.request('GET', '/v1/wallets', { headers: { cookie } });
    expect(mine.json.data.map((w: { id: string }) => w.id)).toContain(wallet.json.id);
    expect((await t.request('GET', `/v1/wallets/${wallet.json.id}`, { headers: { cookie } })).status).toBe(200);
    expect((await t.request('GET', '/console/session', { headers: { cookie } })).json.client).toEqual({ id: alice.clientId, name: 'alice' });
    const bobs = await signIn(bob);
    expect((await t.request('GET', `/v1/wallets/${wallet.json.id}`, { headers: { cookie: bobs.cookie } })).status).toBe(404);
    // Once an API-key request to the same route is logged, the cookie's would be too, had they been.
    const byKey = await t.request('GET', `/v1/wallets/${wallet.json.id}`, { headers: alice.headers });
    const logged = await untilLogged(t, alice, '?route=/v1/wallets/:id', (reply) => reply.json.data?.length >= 1);
    expect(logged.json.data.map((entry: { id: string }) => entry.id)).toEqual([byKey.headers['x-request-id']]);
  });

  it('logs what the console changes, like any request, but not what it reads', async () => {
    const { cookie } = await signIn(bob);
    const rule = await t.request('POST', '/v1/sandbox/fault-rules', { headers: { cookie, origin: 'http://localhost' }, body: { fault: 'delay=1', endpoint: 'POST /v1/transfers', times: 1 } });
    expect(rule.status).toBe(201);
    expect((await t.request('GET', '/v1/sandbox/fault-rules', { headers: { cookie } })).status).toBe(200);
    // onResponse buffers an entry before inject hands the answer back: this flush writes both requests' entries, had they any.
    await t.app.get(RequestLog).flush();
    const logged = await t.request('GET', '/v1/requests?route=/v1/sandbox/fault-rules', { headers: bob.headers });
    expect(logged.json.data.map((entry: { id: string; method: string }) => [entry.id, entry.method])).toEqual([[rule.headers['x-request-id'], 'POST']]);
  });

  it('opens a session only for the API key and secret, never for another session', async () => {
    const { cookie } = await signIn(alice);
    const renewed = await t.request('POST', '/console/session', { headers: { cookie, origin: 'http://localhost' } });
    expect([renewed.status, renewed.json.error.code, renewed.headers['set-cookie']]).toEqual([401, 'UNAUTHENTICATED', undefined]);
    const [{ count }] = await t.db.query<{ count: string }>('SELECT count(*) FROM console_sessions WHERE client_id = $1 AND expires_at > now()', [alice.clientId]);
    const again = await t.request('POST', '/console/session', { headers: { cookie, origin: 'http://localhost' } });
    expect(again.status).toBe(401);
    expect((await t.db.query<{ count: string }>('SELECT count(*) FROM console_sessions WHERE client_id = $1 AND expires_at > now()', [alice.clientId]))[0].count).toBe(count);
  });

  it('refuses a write under the cookie that does not come from the console’s own origin (CSRF)', async () => {
    const { cookie } = await signIn(alice);
    const rule = { fault: 'delay=1', endpoint: 'POST /v1/transfers', times: 1 };
    for (const origin of [undefined, 'https://evil.example', 'null']) {
      const reply = await t.request('POST', '/v1/sandbox/fault-rules', { headers: { cookie, ...(origin ? { origin } : {}) }, body: rule });
      expect([origin, reply.status, reply.json.error.code]).toEqual([origin, 403, 'FORBIDDEN']);
    }
    const deleted = await t.request('DELETE', '/console/session', { headers: { cookie, origin: 'https://evil.example' } });
    expect(deleted.status).toBe(403);
    const same = await t.request('POST', '/v1/sandbox/fault-rules', { headers: { cookie, origin: 'http://localhost' }, body: rule });
    expect(same.status).toBe(201);
    // Over https, a page served over plain http (which anyone on the network can forge) may not write.
    const overHttps = { cookie, 'x-forwarded-proto': 'https', host: 'localhost' };
    const plainPage = await t.request('POST', '/v1/sandbox/fault-rules', { headers: { ...overHttps, origin: 'http://localhost' }, body: rule });
    expect([plainPage.status, plainPage.json.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await t.request('POST', '/v1/sandbox/fault-rules', { headers: { ...overHttps, origin: 'https://localhost' }, body: rule })).status).toBe(201);
  });

  it('refuses a forged or borrowed cookie', async () => {
    const { cookie } = await signIn(alice);
    const [, token] = cookie.split('.');
    for (const forged of [`ledgerline_console=${bob.clientId}.${token}`, `${cookie.slice(0, -2)}xx`, 'ledgerline_console=garbage', `${cookie}.extra`]) {
      const reply = await t.request('GET', '/v1/wallets', { headers: { cookie: forged } });
      expect([forged, reply.status, reply.json.error.code]).toEqual([forged, 401, 'UNAUTHENTICATED']);
    }
  });

  it('ends: after CONSOLE_SESSION_TTL_SECONDS, and at sign-out', async () => {
    const { cookie } = await signIn(alice);
    expect((await t.request('GET', '/console/session', { headers: { cookie } })).status).toBe(200);
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 100));
      status = (await t.request('GET', '/v1/wallets', { headers: { cookie } })).status;
    }
    expect(status).toBe(401);

    const second = await signIn(alice);
    const out = await t.request('DELETE', '/console/session', { headers: { cookie: second.cookie, origin: 'http://localhost' } });
    expect([out.status, out.headers['set-cookie']]).toEqual([204, expect.stringMatching(/^ledgerline_console=; Max-Age=0;/)]);
    expect((await t.request('GET', '/v1/wallets', { headers: { cookie: second.cookie } })).status).toBe(401);
  });

  it('documents the console’s API routes in the OpenAPI document (not the page itself)', async () => {
    const { paths } = (await t.request('GET', '/docs-json')).json as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining(['GET /v1/requests', 'GET /v1/requests/{id}', 'POST /v1/sandbox/fault-rules', 'GET /v1/sandbox/fault-rules', 'DELETE /v1/sandbox/fault-rules/{id}', 'GET /v1/payouts', 'GET /v1/webhooks']),
    );
    expect(operations.filter((operation) => operation.includes('/console'))).toEqual([]);
  });

  it('serves the page under a strict Content-Security-Policy', async () => {
    const page = await t.request('GET', '/console');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect((await t.request('GET', '/console/app.js')).headers['content-type']).toMatch(/^text\/javascript/);
    expect((await t.request('GET', '/console/secrets.txt')).status).toBe(404);
  });
});

describe('the console switched off', () => {
  it('answers 404 for its page and its sign-in, and no cookie authenticates', async () => {
    const t = await startTestApp({ CONSOLE_ENABLED: 'false' });
    try {
      const who = await t.newClient();
      expect((await t.request('GET', '/console')).status).toBe(404);
      expect((await t.request('POST', '/console/session', { headers: who.headers })).status).toBe(404);
      expect((await t.request('POST', '/console/session', { headers: { ...who.headers, 'x-api-secret': 'sk_wrong' } })).status).toBe(404);
      expect((await t.request('GET', '/v1/wallets', { headers: { cookie: `ledgerline_console=${who.clientId}.${'a'.repeat(43)}` } })).status).toBe(401);
      expect((await t.request('GET', '/v1/requests', { headers: who.headers })).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
