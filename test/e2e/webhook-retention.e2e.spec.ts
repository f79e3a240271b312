import { randomUUID } from 'node:crypto';
import { WebhookSweeper } from '../../src/webhooks/webhook-sweeper';
import { WebhooksRepository } from '../../src/webhooks/webhooks.repository';
import { Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

/** Days before now, as SQL: past the default WEBHOOK_LOG_TTL_SECONDS (30 days) or within it. */
const ago = (days: number) => `now() - interval '${days} days'`;

describe('webhook events and their attempts are kept WEBHOOK_LOG_TTL_SECONDS after the last attempt', () => {
  let t: TestApp;
  let alice: Credentials;
  let endpointId: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await t.newClient('alice');
    const endpoint = await t.request('POST', '/v1/webhooks', { headers: withKey(alice.headers), body: { url: 'http://127.0.0.1:9/hook', events: ['order.completed'] } });
    expect(endpoint.status).toBe(201);
    endpointId = endpoint.json.id;
  });
  afterAll(() => t.close());

  const event = async (createdDaysAgo: number): Promise<string> => {
    const id = randomUUID();
    await t.db.query(`INSERT INTO webhook_events (client_id, id, type, data, created_at) VALUES ($1, $2, 'order.completed', '{}', ${ago(createdDaysAgo)})`, [alice.clientId, id]);
    return id;
  };
  const attempt = async (eventId: string, daysAgo: number): Promise<string> => {
    const [{ id }] = await t.db.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (client_id, endpoint_id, event_id, job_id, attempt, delivered, status_code, duration_ms, created_at)
       VALUES ($1, $2, $3, gen_random_uuid(), 1, false, 500, 1, ${ago(daysAgo)}) RETURNING id::text`,
      [alice.clientId, endpointId, eventId],
    );
    return id;
  };
  const listedAttempts = async (): Promise<string[]> => {
    const reply = await t.request('GET', `/v1/webhooks/${endpointId}/deliveries?limit=100`, { headers: alice.headers });
    expect(reply.status).toBe(200);
    return reply.json.data.map((row: { id: string }) => row.id).sort();
  };

  it('deletes an event and its attempts once both are past the TTL, and keeps one attempted within it', async () => {
    const expired = await event(40);
    const expiredAttempts = [await attempt(expired, 40), await attempt(expired, 39)];
    // Created long ago but attempted yesterday (a late retry, a redelivery): still in use.
    const retried = await event(40);
    const retriedAttempts = [await attempt(retried, 40), await attempt(retried, 1)];
    const recent = await event(1);
    const recentAttempts = [await attempt(recent, 1)];
    expect(await listedAttempts()).toEqual([...expiredAttempts, ...retriedAttempts, ...recentAttempts].sort());

    expect(await t.app.get(WebhookSweeper).sweep()).toBe(1);

    const events = await t.db.query<{ id: string }>('SELECT id FROM webhook_events WHERE client_id = $1', [alice.clientId]);
    expect(events.map(({ id }) => id).sort()).toEqual([retried, recent].sort());
    expect(await listedAttempts()).toEqual([...retriedAttempts, ...recentAttempts].sort());
    // A deleted attempt can no longer be redelivered, and nothing is queued for it.
    const redeliver = await t.request('POST', `/v1/webhooks/${endpointId}/deliveries/${expiredAttempts[0]}/redeliver`, { headers: withKey(alice.headers) });
    expect([redeliver.status, redeliver.json.error.code]).toEqual([404, 'NOT_FOUND']);
    expect(await t.app.get(WebhookSweeper).sweep()).toBe(0);
  });

  it('never fails a batch of attempts because one event was swept between its lookup and its log', async () => {
    const swept = await event(40);
    const fresh = await event(0);
    expect(await t.app.get(WebhookSweeper).sweep()).toBe(1);
    // The delivery worker looked both up before the sweep, and logs both attempts after it.
    const attempt = (eventId: string) => ({ clientId: alice.clientId, endpointId, eventId, jobId: randomUUID(), attempt: 1, delivered: true, statusCode: 200, error: null, durationMs: 1 });
    await t.app.get(WebhooksRepository).insertDeliveries([attempt(swept), attempt(fresh)]);
    const logged = await t.db.query<{ event_id: string }>('SELECT event_id FROM webhook_deliveries WHERE client_id = $1 AND event_id = ANY($2)', [alice.clientId, [swept, fresh]]);
    expect(logged.map((row) => row.event_id)).toEqual([fresh]);
  });

  it('deletes a backlog larger than one batch in one run, events never attempted included', async () => {
    const bob = await t.newClient('bob');
    const bobs = await t.request('POST', '/v1/webhooks', { headers: withKey(bob.headers), body: { url: 'http://127.0.0.1:9/bob', events: ['order.completed'] } });
    await t.db.query(
      `INSERT INTO webhook_events (client_id, id, type, data, created_at) SELECT $1, gen_random_uuid(), 'order.completed', '{}', ${ago(31)} FROM generate_series(1, 2500)`,
      [bob.clientId],
    );
    await t.db.query(
      `INSERT INTO webhook_deliveries (client_id, endpoint_id, event_id, job_id, attempt, delivered, status_code, duration_ms, created_at)
       SELECT client_id, $2, id, gen_random_uuid(), 1, true, 200, 1, created_at FROM webhook_events WHERE client_id = $1 LIMIT 2000`,
      [bob.clientId, bobs.json.id],
    );

    expect(await t.app.get(WebhookSweeper).sweep()).toBe(2500);
    const left = await t.db.query('SELECT 1 FROM webhook_events WHERE client_id = $1 UNION ALL SELECT 1 FROM webhook_deliveries WHERE client_id = $1', [bob.clientId]);
    expect(left).toEqual([]);
  });
});
