import { readFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { resolve } from 'node:path';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { Clock } from '../../src/common/clock';
import { fundedWallet } from '../support/fixtures';
import { Credentials, startTestApp, TestApp, withKey } from '../support/test-app';
import { until } from '../support/poll';

interface Received {
  headers: Record<string, string>;
  body: string;
}

type Verifier = (secret: string, headers: Record<string, string>, rawBody: string) => unknown;

/** The verification snippet of docs/webhooks.md, taken from the document and run as written. */
function documentedVerifier(): Verifier {
  const doc = readFileSync(resolve(__dirname, '../../docs/webhooks.md'), 'utf8');
  const snippet = /<!-- verify-snippet -->\s*```js\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!snippet) throw new Error('docs/webhooks.md lost its verification snippet');
  return new Function('require', `${snippet}\nreturn verifyWebhook;`)(require) as Verifier;
}

/** Every way a receiver verifies: the two official libraries, unchanged, and the documented snippet. */
const VERIFIERS: Record<string, Verifier> = {
  standardwebhooks: (secret, headers, body) => new StandardWebhook(secret).verify(body, headers),
  svix: (secret, headers, body) => new SvixWebhook(secret).verify(body, headers),
  'docs/webhooks.md': documentedVerifier(),
};

/** Which verifiers accept the delivery with this secret (each throws on a bad one). */
function acceptedBy(secret: string, { headers, body }: Received): string[] {
  return Object.entries(VERIFIERS).flatMap(([name, verify]) => {
    try {
      verify(secret, headers, body);
      return [name];
    } catch {
      return [];
    }
  });
}

const ALL = Object.keys(VERIFIERS);

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));
}

/** A receiver on loopback that answers with the statuses it is given, in turn (then 200), each once `answerAfter` has settled. */
async function startReceiver(statuses: number[] = [], answerAfter: Promise<void> = Promise.resolve()): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: flatHeaders(request.headers), body });
      void answerAfter.then(() => response.writeHead(statuses.shift() ?? 200).end());
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/hooks`, received };
}

const DAY_MS = 24 * 60 * 60 * 1000;

describe('webhooks', () => {
  let t: TestApp;
  // Each test has a client of its own: an endpoint left behind by another test (its receiver closed) never gets its events.
  let alice: Credentials;

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_RETRY_DELAY_SECONDS: '1' });
  });
  beforeEach(async () => {
    alice = await t.newClient('alice');
  });
  afterAll(() => t.close());

  const register = async (who: Credentials, url: string, events: string[]) => {
    const registered = await t.request('POST', '/v1/webhooks', { headers: who.headers, body: { url, events } });
    expect(registered.status).toBe(201);
    return registered.json as { id: string; secret: string };
  };
  const deliveryLog = async (who: Credentials, webhookId: string, query = '') =>
    (await t.request('GET', `/v1/webhooks/${webhookId}/deliveries${query}`, { headers: who.headers })).json;
  /** No delivery job of alice's waits or runs: everything enqueued so far has been worked. */
  const deliveriesSettled = async () =>
    (await t.db.query(`SELECT 1 FROM pgboss.job WHERE name = 'webhook-delivery' AND state < 'completed' AND data ->> 'clientId' = $1`, [alice.clientId])).length === 0;
  const eventsOf = (type: string) => t.db.query(`SELECT 1 FROM webhook_events WHERE client_id = $1 AND type = $2`, [alice.clientId, type]);
  const deposit = (walletId: string, amount = 100) =>
    t.request('POST', `/v1/wallets/${walletId}/deposits`, { headers: withKey(alice.headers), body: { amount } });

  it('delivers a Standard Webhooks event that standardwebhooks, svix and the documented snippet verify, after the receiver failed twice', async () => {
    const receiver = await startReceiver([500, 503]);
    try {
      const registered = await t.request('POST', '/v1/webhooks', { headers: alice.headers, body: { url: receiver.url, events: ['order.completed'] } });
      expect(registered.status).toBe(201);
      expect(registered.json).toEqual({
        id: expect.any(String),
        url: receiver.url,
        events: ['order.completed'],
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
        status: 'ENABLED',
        disabled_at: null,
        previous_secret_expires_at: null,
        created_at: expect.any(String),
      });
      const { id: webhookId, secret } = registered.json;
      expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);

      const walletId = await fundedWallet(t, alice, 'USD', 10_000);
      const key = `order-${Date.now()}`;
      const order = await t.request('POST', '/v1/orders', {
        headers: withKey(alice.headers, key),
        body: { wallet_id: walletId, product_id: 123, denomination: 1000, quantity: 1 },
      });
      expect(order.status).toBe(201);

      // Between the failed first attempt and its retry, the log says when the retry is due.
      let waiting: { next_retry_at: string | null; created_at: string } | undefined;
      await until(async () => (waiting = (await deliveryLog(alice, webhookId)).data.find((d: { next_retry_at: string | null }) => d.next_retry_at !== null)) !== undefined);
      expect(waiting).toMatchObject({ attempt: 1, status: 'FAILED', response_code: 500, error: 'receiver answered 500' });
      expect(Date.parse(waiting!.next_retry_at!)).toBeGreaterThan(Date.parse(waiting!.created_at));

      await until(() => receiver.received.length === 3);
      const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
      expect(ids.size).toBe(1);
      const last = receiver.received[2];
      expect(JSON.parse(last.body)).toEqual({ id: [...ids][0], type: 'order.completed', created_at: expect.any(String), data: order.json });
      expect(Number(last.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
      expect(last.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);

      for (const delivery of receiver.received) expect(acceptedBy(secret, delivery)).toEqual(ALL);
      expect(new StandardWebhook(secret).verify(last.body, last.headers)).toEqual(JSON.parse(last.body));
      const tampered = { ...last, body: last.body.replace('"quantity":1', '"quantity":2') };
      expect(() => new StandardWebhook(secret).verify(tampered.body, tampered.headers)).toThrow('No matching signature found');
      expect(() => new SvixWebhook(secret).verify(tampered.body, tampered.headers)).toThrow('No matching signature found');
      expect(acceptedBy(secret, tampered)).toEqual([]);
      const otherId = { ...last, headers: { ...last.headers, 'webhook-id': '01a2069b-0000-7000-8000-000000000000' } };
      expect(acceptedBy(secret, otherId)).toEqual([]);
      expect(acceptedBy(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, last)).toEqual([]);

      // The worker logs an attempt once the receiver has answered it: the third may not be logged yet.
      await until(async () => (await deliveryLog(alice, webhookId)).data.length === 3);
      const log = (await deliveryLog(alice, webhookId)).data;
      expect(log.map((d: { attempt: number; status: string; response_code: number; next_retry_at: string | null }) => [d.attempt, d.status, d.response_code, d.next_retry_at])).toEqual([
        [3, 'DELIVERED', 200, null],
        [2, 'FAILED', 503, null],
        [1, 'FAILED', 500, null],
      ]);

      // A replay of the order runs no handler: no second event, nothing more delivered.
      const replay = await t.request('POST', '/v1/orders', {
        headers: withKey(alice.headers, key),
        body: { wallet_id: walletId, product_id: 123, denomination: 1000, quantity: 1 },
      });
      expect(replay.headers['idempotency-replayed']).toBe('true');
      await until(deliveriesSettled);
      expect(receiver.received).toHaveLength(3);
      expect(await eventsOf('order.completed')).toHaveLength(1);
    } finally {
      receiver.server.close();
    }
  }, 60_000);

  it('after a rotation signs with both secrets for 24 hours, then with the new one only', async () => {
    const receiver = await startReceiver();
    const clock = t.app.get(Clock);
    const now = jest.spyOn(clock, 'now');
    try {
      const { id: webhookId, secret: first } = await register(alice, receiver.url, ['deposit.completed']);
      const walletId = await fundedWallet(t, alice, 'EUR', 0);
      await deposit(walletId);
      await until(() => receiver.received.length === 1);
      expect(receiver.received[0].headers['webhook-signature'].split(' ')).toHaveLength(1);
      expect(acceptedBy(first, receiver.received[0])).toEqual(ALL);

      // Rotated 24 hours less a minute ago by the service's clock: its window ends a minute from now.
      const rotatedAt = Date.now() - DAY_MS + 60_000;
      now.mockImplementation(() => new Date(rotatedAt));
      const key = `rotate-${Date.now()}`;
      const rotated = await t.request('POST', `/v1/webhooks/${webhookId}/rotate-secret`, { headers: withKey(alice.headers, key) });
      expect(rotated.status).toBe(200);
      const second: string = rotated.json.secret;
      expect(second).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(second).not.toBe(first);
      expect(rotated.json).toMatchObject({ id: webhookId, url: receiver.url, events: ['deposit.completed'], status: 'ENABLED', disabled_at: null });
      expect(rotated.json.previous_secret_expires_at).toBe(new Date(rotatedAt + DAY_MS).toISOString());
      // Retried with its key, the rotation answers the same secret and rotates nothing more.
      const retried = await t.request('POST', `/v1/webhooks/${webhookId}/rotate-secret`, { headers: withKey(alice.headers, key) });
      expect([retried.status, retried.headers['idempotency-replayed'], retried.body]).toEqual([200, 'true', rotated.body]);
      now.mockImplementation(() => new Date());

      // Inside the window: two signatures, the new secret's first; a receiver holding either verifies.
      await deposit(walletId);
      await until(() => receiver.received.length === 2);
      const during = receiver.received[1];
      const [newSignature, oldSignature] = during.headers['webhook-signature'].split(' ');
      expect(acceptedBy(second, { ...during, headers: { ...during.headers, 'webhook-signature': newSignature } })).toEqual(ALL);
      expect(acceptedBy(first, { ...during, headers: { ...during.headers, 'webhook-signature': oldSignature } })).toEqual(ALL);
      expect(acceptedBy(first, during)).toEqual(ALL);
      expect(acceptedBy(second, during)).toEqual(ALL);
      expect(acceptedBy(second, { ...during, body: during.body.replace('"amount":100', '"amount":900') })).toEqual([]);

      // A second past the window (the service's clock a minute and a second ahead, within the libraries' 5-minute tolerance).
      now.mockImplementation(() => new Date(Date.now() + 61_000));
      await deposit(walletId);
      await until(() => receiver.received.length === 3);
      const after = receiver.received[2];
      expect(after.headers['webhook-signature'].split(' ')).toHaveLength(1);
      expect(acceptedBy(second, after)).toEqual(ALL);
      expect(acceptedBy(first, after)).toEqual([]);

      const shown = await t.request('GET', `/v1/webhooks/${webhookId}`, { headers: alice.headers });
      expect(shown.json).toEqual({ ...rotated.json, secret: undefined });
      expect(shown.json).not.toHaveProperty('secret');
    } finally {
      now.mockRestore();
      receiver.server.close();
    }
  }, 60_000);

  it('disables an endpoint whose receiver answers 410 Gone: no retry, nothing more sent', async () => {
    const gone = await startReceiver([410, 410]);
    const witness = await startReceiver();
    try {
      const { id: goneId } = await register(alice, gone.url, ['deposit.completed']);
      await register(alice, witness.url, ['deposit.completed']);
      const walletId = await fundedWallet(t, alice, 'GBP', 0);

      await deposit(walletId);
      await until(async () => (await t.request('GET', `/v1/webhooks/${goneId}`, { headers: alice.headers })).json.status === 'DISABLED');
      const endpoint = (await t.request('GET', `/v1/webhooks/${goneId}`, { headers: alice.headers })).json;
      expect(endpoint.disabled_at).toEqual(expect.any(String));
      await until(deliveriesSettled);
      const [attempt] = (await deliveryLog(alice, goneId)).data;
      expect(attempt).toMatchObject({ attempt: 1, status: 'FAILED', response_code: 410, next_retry_at: null });

      // The next event reaches the witness and is not even queued for the disabled endpoint.
      await deposit(walletId);
      await until(() => witness.received.length === 2);
      await until(deliveriesSettled);
      expect(gone.received).toHaveLength(1);
      const goneJobs = await t.db.query(`SELECT state FROM pgboss.job WHERE name = 'webhook-delivery' AND data ->> 'endpointId' = $1`, [goneId]);
      expect(goneJobs).toEqual([{ state: 'completed' }]);
      expect((await deliveryLog(alice, goneId)).data).toHaveLength(1);

      const redeliver = await t.request('POST', `/v1/webhooks/${goneId}/deliveries/${attempt.id}/redeliver`, { headers: alice.headers });
      expect([redeliver.status, redeliver.json.error.code]).toEqual([422, 'WEBHOOK_DISABLED']);
    } finally {
      gone.server.close();
      witness.server.close();
    }
  }, 60_000);

  it('works a batch job by job: a failing receiver is retried alone, an acknowledged one is sent each event once', async () => {
    const failingFirst = await startReceiver([500, 500, 500]);
    const healthy = await startReceiver();
    try {
      const { id: failingId } = await register(alice, failingFirst.url, ['deposit.completed']);
      const { id: healthyId } = await register(alice, healthy.url, ['deposit.completed']);
      const walletId = await fundedWallet(t, alice, 'CHF', 0);
      for (let i = 0; i < 3; i++) expect((await deposit(walletId)).status).toBe(201);

      await until(() => failingFirst.received.length === 6 && healthy.received.length === 3);
      await until(deliveriesSettled);
      // Each event once to the healthy receiver, whatever its batch-mates' receivers answered.
      expect(new Set(healthy.received.map(({ headers }) => headers['webhook-id'])).size).toBe(3);
      const healthyLog = (await deliveryLog(alice, healthyId)).data as Array<{ attempt: number; status: string }>;
      expect(healthyLog.map(({ attempt, status }) => [attempt, status])).toEqual([
        [1, 'DELIVERED'],
        [1, 'DELIVERED'],
        [1, 'DELIVERED'],
      ]);
      // The three first attempts failed; each event's second attempt, alone in its job, was acknowledged.
      const failingLog = (await deliveryLog(alice, failingId)).data as Array<{ attempt: number; status: string; response_code: number }>;
      expect(failingLog.map(({ attempt, status }) => `${attempt} ${status}`).sort()).toEqual(['1 FAILED', '1 FAILED', '1 FAILED', '2 DELIVERED', '2 DELIVERED', '2 DELIVERED']);
    } finally {
      failingFirst.server.close();
      healthy.server.close();
    }
  }, 60_000);

  it('lists attempts a page at a time and redelivers one, under its webhook-id, once per key', async () => {
    const receiver = await startReceiver();
    try {
      const { id: webhookId, secret } = await register(alice, receiver.url, ['transfer.completed']);
      const from = await fundedWallet(t, alice, 'USD', 1000);
      const to = await fundedWallet(t, alice, 'USD', 0);
      for (const amount of [1, 2, 3]) {
        const transfer = await t.request('POST', '/v1/transfers', { headers: withKey(alice.headers), body: { from_wallet_id: from, to_wallet_id: to, amount } });
        expect(transfer.status).toBe(201);
      }
      await until(async () => (await deliveryLog(alice, webhookId)).data.length === 3);

      const first = await deliveryLog(alice, webhookId, '?limit=2');
      expect(first.data).toHaveLength(2);
      expect(first.next_cursor).toEqual(expect.any(String));
      const second = await deliveryLog(alice, webhookId, `?limit=2&cursor=${first.next_cursor}`);
      expect([second.data.length, second.next_cursor]).toEqual([1, null]);
      const all = [...first.data, ...second.data];
      expect(all.map((d: { status: string }) => d.status)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED']);
      expect(new Set(all.map((d: { event_id: string }) => d.event_id)).size).toBe(3);
      expect(Number(all[0].id)).toBeGreaterThan(Number(all[1].id));

      const oldest = all[2];
      const key = `redeliver-${Date.now()}`;
      const path = `/v1/webhooks/${webhookId}/deliveries/${oldest.id}/redeliver`;
      const redelivered = await t.request('POST', path, { headers: withKey(alice.headers, key) });
      expect(redelivered.status).toBe(202);
      expect(redelivered.json).toEqual({ webhook_id: webhookId, delivery_id: oldest.id, event_id: oldest.event_id, event_type: 'transfer.completed', queued_at: expect.any(String) });
      const again = await t.request('POST', path, { headers: withKey(alice.headers, key) });
      expect([again.status, again.headers['idempotency-replayed'], again.body]).toEqual([202, 'true', redelivered.body]);

      await until(() => receiver.received.length === 4);
      await until(deliveriesSettled);
      expect(receiver.received).toHaveLength(4);
      const resent = receiver.received[3];
      expect(resent.headers['webhook-id']).toBe(oldest.event_id);
      expect(JSON.parse(resent.body).id).toBe(oldest.event_id);
      expect(acceptedBy(secret, resent)).toEqual(ALL);
      const original = receiver.received.find((r) => r.headers['webhook-id'] === oldest.event_id && r !== resent);
      expect(resent.body).toBe(original?.body);

      await until(async () => (await deliveryLog(alice, webhookId)).data.length === 4);
      const [latest] = (await deliveryLog(alice, webhookId)).data;
      expect(latest).toMatchObject({ event_id: oldest.event_id, attempt: 2, status: 'DELIVERED', response_code: 200 });
    } finally {
      receiver.server.close();
    }
  }, 60_000);

  it("answers another client's endpoint and attempts as unknown ones (404), and changes nothing of them", async () => {
    const receiver = await startReceiver();
    const bob = await t.newClient('bob');
    try {
      const alices = await register(alice, receiver.url, ['deposit.completed']);
      const bobs = await register(bob, receiver.url, ['deposit.completed']);
      const walletId = await fundedWallet(t, alice, 'USD', 0);
      await deposit(walletId);
      await until(async () => (await deliveryLog(alice, alices.id)).data.length === 1);
      const [attempt] = (await deliveryLog(alice, alices.id)).data;

      const unknown = '01a2069a-0000-7000-8000-000000000000';
      const cases: Array<[Credentials, string, string]> = [
        [bob, 'GET', `/v1/webhooks/${alices.id}`],
        [bob, 'GET', `/v1/webhooks/${alices.id}/deliveries`],
        [bob, 'POST', `/v1/webhooks/${alices.id}/rotate-secret`],
        [bob, 'POST', `/v1/webhooks/${alices.id}/deliveries/${attempt.id}/redeliver`],
        // Bob's own endpoint, alice's attempt.
        [bob, 'POST', `/v1/webhooks/${bobs.id}/deliveries/${attempt.id}/redeliver`],
        [alice, 'GET', `/v1/webhooks/${unknown}`],
        [alice, 'GET', `/v1/webhooks/${unknown}/deliveries`],
        [alice, 'POST', `/v1/webhooks/${unknown}/rotate-secret`],
        [alice, 'POST', `/v1/webhooks/${alices.id}/deliveries/999999999/redeliver`],
        [bob, 'DELETE', `/v1/webhooks/${alices.id}`],
        [alice, 'DELETE', `/v1/webhooks/${unknown}`],
      ];
      for (const [who, method, path] of cases) {
        const reply = await t.request(method, path, { headers: who.headers });
        expect([method, path, reply.status, reply.json.error.code]).toEqual([method, path, 404, 'NOT_FOUND']);
      }
      expect((await t.request('GET', `/v1/webhooks/${alices.id}`, { headers: alice.headers })).json.previous_secret_expires_at).toBeNull();
      await until(deliveriesSettled);
      expect(receiver.received).toHaveLength(1);
      expect(acceptedBy(alices.secret, receiver.received[0])).toEqual(ALL);
    } finally {
      receiver.server.close();
    }
  });

  it('refuses malformed ids, cursors and limits in the envelope (400), before anything runs', async () => {
    const { id: webhookId } = await register(alice, 'http://127.0.0.1:9/hooks', ['payout.failed']);
    const badCursors = ['!!!', Buffer.from('abc').toString('base64url'), Buffer.from('9999999999999999999').toString('base64url'), Buffer.from('0').toString('base64url')];
    const cases: Array<[string, string, string]> = [
      ['GET', '/v1/webhooks/not-a-uuid', 'id'],
      ['GET', '/v1/webhooks/not-a-uuid/deliveries', 'id'],
      ['DELETE', '/v1/webhooks/not-a-uuid', 'id'],
      ['POST', '/v1/webhooks/not-a-uuid/rotate-secret', 'id'],
      ['POST', '/v1/webhooks/not-a-uuid/deliveries/1/redeliver', 'id'],
      ['POST', `/v1/webhooks/${webhookId}/deliveries/abc/redeliver`, 'delivery_id'],
      ['POST', `/v1/webhooks/${webhookId}/deliveries/0/redeliver`, 'delivery_id'],
      ['POST', `/v1/webhooks/${webhookId}/deliveries/-1/redeliver`, 'delivery_id'],
      ['POST', `/v1/webhooks/${webhookId}/deliveries/99999999999999999999/redeliver`, 'delivery_id'],
      ['POST', `/v1/webhooks/${webhookId}/deliveries/9223372036854775808/redeliver`, 'delivery_id'],
      ['GET', `/v1/webhooks/${webhookId}/deliveries?limit=0`, 'limit'],
      ['GET', `/v1/webhooks/${webhookId}/deliveries?limit=101`, 'limit'],
      ['GET', `/v1/webhooks/${webhookId}/deliveries?limit=ten`, 'limit'],
      ...badCursors.map((cursor): [string, string, string] => ['GET', `/v1/webhooks/${webhookId}/deliveries?cursor=${cursor}`, 'cursor']),
    ];
    for (const [method, path, field] of cases) {
      const reply = await t.request(method, path, { headers: alice.headers });
      expect([path, reply.status, reply.json.error.code, reply.json.error.details?.[0]?.field]).toEqual([path, 400, 'VALIDATION_ERROR', field]);
    }
    const shown = await t.request('GET', `/v1/webhooks/${webhookId}`, { headers: alice.headers });
    expect([shown.status, shown.json.previous_secret_expires_at]).toEqual([200, null]);
  });

  it('writes no event for an effect that rolled back', async () => {
    const receiver = await startReceiver();
    try {
      await register(alice, receiver.url, ['deposit.completed']);
      const walletId = (await t.request('POST', '/v1/wallets', { headers: alice.headers, body: { currency: 'EUR' } })).json.id;
      const failed = await t.request('POST', `/v1/wallets/${walletId}/deposits`, {
        headers: { ...withKey(alice.headers), 'x-sandbox-fault': 'fail-before-commit' },
        body: { amount: 5 },
      });
      expect(failed.status).toBe(500);
      await until(deliveriesSettled);
      expect(receiver.received).toHaveLength(0);
      expect(await eventsOf('deposit.completed')).toHaveLength(0);
    } finally {
      receiver.server.close();
    }
  });

  it('holds a client to 16 endpoints, also when registrations race, and records the refusal under its key', async () => {
    const url = 'http://127.0.0.1:9/hooks';
    const registerWith = (key: string) => t.request('POST', '/v1/webhooks', { headers: withKey(alice.headers, key), body: { url, events: ['payout.failed'] } });
    for (let i = 0; i < 12; i++) await register(alice, url, ['payout.failed']);
    // Eight at once for the last four places: without registrations taking turns, each would count 12 and insert.
    const racing = await Promise.all(Array.from({ length: 8 }, (_, i) => registerWith(`limit-race-${alice.clientId}-${i}`)));
    const statuses = racing.map((reply) => reply.status).sort();
    expect(statuses).toEqual([201, 201, 201, 201, 422, 422, 422, 422]);
    const refused = racing.find((reply) => reply.status === 422)!;
    expect(refused.json.error).toEqual({ code: 'WEBHOOK_LIMIT_REACHED', message: expect.stringContaining('at most 16 webhook endpoints') });
    const endpointCount = async () => Number((await t.db.query(`SELECT count(*) FROM webhook_endpoints WHERE client_id = $1`, [alice.clientId]))[0].count);
    expect(await endpointCount()).toBe(16);

    // The refusal is the key's recorded answer: its retry replays it, even once there is room.
    const refusedKey = refused.headers['idempotency-key'] as string;
    const { id: deleted } = racing.find((reply) => reply.status === 201)!.json;
    expect((await t.request('DELETE', `/v1/webhooks/${deleted}`, { headers: alice.headers })).status).toBe(204);
    const retried = await registerWith(refusedKey);
    expect([retried.status, retried.headers['idempotency-replayed'], retried.json.error.code]).toEqual([422, 'true', 'WEBHOOK_LIMIT_REACHED']);
    expect((await registerWith(`limit-after-delete-${alice.clientId}`)).status).toBe(201);
    expect(await endpointCount()).toBe(16);

    // The limit is per client.
    const bob = await t.newClient('bob');
    await register(bob, url, ['payout.failed']);
  });

  it('deletes an endpoint: a queued retry is not sent, its attempts go with it, and nobody else can', async () => {
    const receiver = await startReceiver([500]);
    try {
      const { id: webhookId } = await register(alice, receiver.url, ['deposit.completed']);
      await deposit(await fundedWallet(t, alice, 'USD', 0));
      // The first attempt failed; its retry waits at least WEBHOOK_RETRY_DELAY_SECONDS (1 s).
      await until(async () => (await deliveryLog(alice, webhookId)).data.length === 1);

      const deleted = await t.request('DELETE', `/v1/webhooks/${webhookId}`, { headers: alice.headers });
      expect([deleted.status, deleted.body]).toEqual([204, '']);
      expect((await t.request('GET', `/v1/webhooks/${webhookId}`, { headers: alice.headers })).status).toBe(404);
      expect((await t.request('GET', `/v1/webhooks/${webhookId}/deliveries`, { headers: alice.headers })).status).toBe(404);
      expect(await t.db.query(`SELECT 1 FROM webhook_deliveries WHERE client_id = $1 AND endpoint_id = $2`, [alice.clientId, webhookId])).toHaveLength(0);
      const again = await t.request('DELETE', `/v1/webhooks/${webhookId}`, { headers: alice.headers });
      expect([again.status, again.json.error.code]).toEqual([404, 'NOT_FOUND']);

      // The retry runs, finds no endpoint, and completes without sending or logging anything.
      await until(deliveriesSettled);
      expect(receiver.received).toHaveLength(1);
      expect(await eventsOf('deposit.completed')).toHaveLength(1);
    } finally {
      receiver.server.close();
    }
  });

  it('logs no attempt for an endpoint deleted while its POST was out, and completes the job on that run', async () => {
    let answer: () => void = () => undefined;
    const receiver = await startReceiver([], new Promise<void>((release) => (answer = release)));
    try {
      const { id: webhookId } = await register(alice, receiver.url, ['deposit.completed']);
      await deposit(await fundedWallet(t, alice, 'USD', 0));
      await until(async () => receiver.received.length === 1);
      expect((await t.request('DELETE', `/v1/webhooks/${webhookId}`, { headers: alice.headers })).status).toBe(204);
      answer();
      await until(deliveriesSettled);
      const [job] = await t.db.query(`SELECT state, retry_count FROM pgboss.job WHERE name = 'webhook-delivery' AND data ->> 'clientId' = $1`, [alice.clientId]);
      // Logging the attempt would have broken the batch on the deleted endpoint's foreign key: a failed run, then a retry.
      expect(job).toEqual({ state: 'completed', retry_count: 0 });
      expect(await t.db.query(`SELECT 1 FROM webhook_deliveries WHERE client_id = $1`, [alice.clientId])).toHaveLength(0);
    } finally {
      answer();
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
