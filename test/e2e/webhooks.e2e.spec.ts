import { readFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { resolve } from 'node:path';
import { fundedWallet } from '../support/fixtures';
import { Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

type Verifier = (secret: string, headers: IncomingHttpHeaders, rawBody: string, toleranceSeconds?: number) => boolean;

/** The verification snippet of docs/webhooks.md, taken from the document and run as written. */
function documentedVerifier(): Verifier {
  const doc = readFileSync(resolve(__dirname, '../../docs/webhooks.md'), 'utf8');
  const snippet = /<!-- verify-snippet -->\s*```js\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!snippet) throw new Error('docs/webhooks.md lost its verification snippet');
  return new Function('require', `${snippet}\nreturn verifyWebhook;`)(require) as Verifier;
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback that answers with the statuses it is given, in turn (then 200). */
async function startReceiver(statuses: number[]): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/hooks`, received };
}

const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (await condition()) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error('condition not met in time');
};

describe('webhooks', () => {
  let t: TestApp;
  let alice: Credentials;

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_RETRY_DELAY_SECONDS: '1' });
    alice = await t.newClient();
  });
  afterAll(() => t.close());

  it('delivers a signed event that verifies with the documented snippet, after the receiver failed twice, once acknowledged', async () => {
    const receiver = await startReceiver([500, 503]);
    try {
      const registered = await t.request('POST', '/v1/webhooks', { headers: alice.headers, body: { url: receiver.url, events: ['order.completed'] } });
      expect(registered.status).toBe(201);
      expect(registered.json).toMatchObject({ url: receiver.url, events: ['order.completed'], secret: expect.stringMatching(/^whsec_/) });

      const walletId = await fundedWallet(t, alice, 'USD', 10_000);
      const key = `order-${Date.now()}`;
      const order = await t.request('POST', '/v1/orders', {
        headers: withKey(alice.headers, key),
        body: { wallet_id: walletId, product_id: 123, denomination: 1000, quantity: 1 },
      });
      expect(order.status).toBe(201);

      await until(() => receiver.received.length === 3);
      const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
      expect(ids.size).toBe(1);
      const last = receiver.received[2];
      expect(JSON.parse(last.body)).toEqual({ id: [...ids][0], type: 'order.completed', created_at: expect.any(String), data: order.json });

      const verifyWebhook = documentedVerifier();
      expect(verifyWebhook(registered.json.secret, last.headers, last.body)).toBe(true);
      expect(verifyWebhook(registered.json.secret, last.headers, last.body.replace('"quantity":1', '"quantity":2'))).toBe(false);
      expect(verifyWebhook('whsec_wrong', last.headers, last.body)).toBe(false);
      expect(verifyWebhook(registered.json.secret, last.headers, last.body, -1)).toBe(false);

      // The worker logs an attempt once the receiver has answered it: the third may not be logged yet.
      const deliveryLog = () => t.request('GET', `/v1/webhooks/${registered.json.id}/deliveries`, { headers: alice.headers });
      await until(async () => (await deliveryLog()).json.data.length === 3);
      const log = await deliveryLog();
      expect(log.json.data.map((d: { attempt: number; delivered: boolean; status_code: number }) => [d.attempt, d.delivered, d.status_code])).toEqual([
        [3, true, 200],
        [2, false, 503],
        [1, false, 500],
      ]);

      // A replay of the order runs no handler: no second event, nothing more delivered.
      const replay = await t.request('POST', '/v1/orders', {
        headers: withKey(alice.headers, key),
        body: { wallet_id: walletId, product_id: 123, denomination: 1000, quantity: 1 },
      });
      expect(replay.headers['idempotency-replayed']).toBe('true');
      await new Promise((done) => setTimeout(done, 2500));
      expect(receiver.received).toHaveLength(3);
      expect(await t.db.query(`SELECT 1 FROM webhook_events WHERE type = 'order.completed'`)).toHaveLength(1);
    } finally {
      receiver.server.close();
    }
  }, 60_000);

  it('writes no event for an effect that rolled back', async () => {
    const receiver = await startReceiver([]);
    try {
      await t.request('POST', '/v1/webhooks', { headers: alice.headers, body: { url: receiver.url, events: ['deposit.completed'] } });
      const walletId = (await t.request('POST', '/v1/wallets', { headers: alice.headers, body: { currency: 'EUR' } })).json.id;
      const failed = await t.request('POST', `/v1/wallets/${walletId}/deposits`, {
        headers: { ...withKey(alice.headers), 'x-sandbox-fault': 'fail-before-commit' },
        body: { amount: 5 },
      });
      expect(failed.status).toBe(500);
      await new Promise((done) => setTimeout(done, 1500));
      expect(receiver.received).toHaveLength(0);
      expect(await t.db.query(`SELECT 1 FROM webhook_events WHERE type = 'deposit.completed'`)).toHaveLength(0);
    } finally {
      receiver.server.close();
    }
  });

  it('refuses malformed registrations', async () => {
    for (const body of [{ url: 'not a url', events: ['order.completed'] }, { url: 'http://127.0.0.1/x', events: [] }, { url: 'http://127.0.0.1/x', events: ['order.shipped'] }, { url: 'ftp://127.0.0.1/x', events: ['order.completed'] }]) {
      const reply = await t.request('POST', '/v1/webhooks', { headers: alice.headers, body });
      expect([reply.status, reply.json.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    }
  });
});

describe('webhooks in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production', CREDENTIALS_KEY: Buffer.alloc(32, 3).toString('base64') });
  });
  afterAll(() => t.close());

  it('refuses plain http and addresses inside the operator network', async () => {
    const alice = await t.newClient();
    for (const url of ['http://93.184.216.34/hooks', 'https://127.0.0.1/hooks', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/hooks', 'https://10.0.0.7/hooks']) {
      const reply = await t.request('POST', '/v1/webhooks', { headers: alice.headers, body: { url, events: ['order.completed'] } });
      expect([url, reply.status]).toEqual([url, 400]);
    }
  });
});
