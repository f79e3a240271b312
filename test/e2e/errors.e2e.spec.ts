import { AddressInfo, connect } from 'node:net';
import { Credentials, Reply, startTestApp, TestApp, withKey } from '../support/test-app';

describe('error envelope', () => {
  let t: TestApp;
  let alice: Credentials;
  let walletId: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.newClient();
    walletId = (await t.request('POST', '/v1/wallets', { headers: alice.headers, body: { currency: 'USD' } })).json.id;
  });
  afterAll(() => t.close());

  const expectEnvelope = (reply: Reply, code: string) => {
    expect(reply.json.error.code).toBe(code);
    expect(typeof reply.json.error.message).toBe('string');
  };

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    const reply = await t.request('GET', '/v1/nowhere', { headers: alice.headers });
    expect(reply.status).toBe(404);
    expectEnvelope(reply, 'NOT_FOUND');
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const reply = await t.request('POST', `/v1/wallets/${walletId}/deposits`, { headers: alice.headers, body: '{"amount": 5' });
    expect(reply.status).toBe(400);
    expectEnvelope(reply, 'MALFORMED_JSON');
  });

  it('refuses prototype-poisoning keys as malformed JSON', async () => {
    const reply = await t.request('POST', '/v1/wallets', { headers: alice.headers, body: '{"__proto__": {"x": 1}, "currency": "USD"}' });
    expect(reply.status).toBe(400);
    expectEnvelope(reply, 'MALFORMED_JSON');
  });

  it('answers an oversized body with 413 PAYLOAD_TOO_LARGE', async () => {
    const reply = await t.request('POST', '/v1/wallets', {
      headers: alice.headers,
      body: { currency: 'USD', metadata: { blob: 'x'.repeat(70_000) } },
    });
    expect(reply.status).toBe(413);
    expectEnvelope(reply, 'PAYLOAD_TOO_LARGE');
  });

  it('answers a non-JSON content type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const reply = await t.request('POST', '/v1/wallets', {
      headers: { ...alice.headers, 'content-type': 'text/plain' },
      body: 'currency=USD',
    });
    expect(reply.status).toBe(415);
    expectEnvelope(reply, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('lists every invalid field in a 400 VALIDATION_ERROR', async () => {
    const reply = await t.request('POST', '/v1/wallets', {
      headers: alice.headers,
      body: { currency: 'usd', external_id: 7, surprise: true },
    });
    expect(reply.status).toBe(400);
    expectEnvelope(reply, 'VALIDATION_ERROR');
    const fields = reply.json.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['currency', 'external_id', 'surprise']);
  });

  it('answers a malformed path id with 400 VALIDATION_ERROR', async () => {
    const reply = await t.request('GET', '/v1/wallets/not-a-uuid', { headers: alice.headers });
    expect(reply.status).toBe(400);
    expect(reply.json.error.details).toEqual([{ field: 'id', errors: ['id must be a UUID'] }]);
  });

  it('answers missing credentials with 401 UNAUTHENTICATED', async () => {
    const reply = await t.request('GET', '/v1/wallets');
    expect(reply.status).toBe(401);
    expectEnvelope(reply, 'UNAUTHENTICATED');
  });

  it('hides the cause of a 500 and gives a request id to quote', async () => {
    // A real failure, not a mock: the table the handler writes to is gone.
    await t.db.query('ALTER TABLE deposits RENAME TO deposits_gone');
    try {
      const reply = await t.request('POST', `/v1/wallets/${walletId}/deposits`, { headers: withKey(alice.headers), body: { amount: 5 } });
      expect(reply.status).toBe(500);
      expectEnvelope(reply, 'INTERNAL_ERROR');
      expect(reply.json.error.request_id).toBe(reply.headers['x-request-id']);
      expect(reply.body).not.toMatch(/deposits|relation|SELECT|INSERT|at \w+ \(/i);
    } finally {
      await t.db.query('ALTER TABLE deposits_gone RENAME TO deposits');
    }
    // The failed request left nothing behind: the balance and the ledger did not move.
    const wallet = await t.request('GET', `/v1/wallets/${walletId}`, { headers: alice.headers });
    expect(wallet.json.balance).toBe(0);
    const entries = await t.db.query('SELECT 1 FROM ledger_entries WHERE wallet_id = $1', [walletId]);
    expect(entries).toHaveLength(0);
  });

  it('puts X-Request-Id on every response, keeping a sane caller-supplied one', async () => {
    for (const reply of [
      await t.request('GET', '/health'),
      await t.request('GET', '/v1/nowhere'),
      await t.request('GET', '/v1/wallets'),
      await t.request('POST', '/v1/wallets', { headers: alice.headers, body: '{' }),
    ]) {
      expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    const traced = await t.request('GET', '/health', { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(traced.headers['x-request-id']).toBe('trace-abc.123');
    const forged = await t.request('GET', '/health', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers a malformed percent-escape, refused by Fastify's router before any route, in the envelope with an X-Request-Id", async () => {
    for (const path of ['/v1/wallets/%zz', '/%zz', '/v1/wallets/%E0%A4%A']) {
      const reply = await t.request('GET', path, { headers: alice.headers });
      expect([path, reply.status, reply.json]).toEqual([path, 400, { error: { code: 'VALIDATION_ERROR', message: 'The URL has a malformed percent-escape' } }]);
      expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    }
  });

  it('answers headers over 16 KB, refused by the HTTP parser before Fastify, with 431 in the envelope and an X-Request-Id', async () => {
    const server = t.app.getHttpServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await new Promise<string>((done, fail) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(17_000)}\r\n\r\n`));
        let received = '';
        socket.on('data', (chunk) => (received += chunk));
        socket.on('end', () => done(received));
        socket.on('error', fail);
      });
      const [head, body] = answer.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 431 /);
      expect(head).toMatch(/\r\nX-Request-Id: [0-9a-f-]{36}\r\n/i);
      expect(JSON.parse(body)).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: expect.any(String) } });
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});

