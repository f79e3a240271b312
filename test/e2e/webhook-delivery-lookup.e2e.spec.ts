import { randomUUID } from 'node:crypto';
import { DELIVERY_TARGETS } from '../../src/webhooks/webhooks.repository';
import { startTestApp, TestApp, withKey } from '../support/test-app';

const EVENTS = 300;
const ATTEMPTS_PER_EVENT = 4;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

describe('a delivery job finds its event’s earlier attempts by index, however many its endpoint has', () => {
  let t: TestApp;
  let clientId: string;
  let endpointId: string;
  let eventId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const client = await t.newClient();
    clientId = client.clientId;
    const endpoint = await t.request('POST', '/v1/webhooks', { headers: withKey(client.headers), body: { url: 'http://127.0.0.1:9/hook', events: ['order.completed'] } });
    expect(endpoint.status).toBe(201);
    endpointId = endpoint.json.id;
    // One busy endpoint: many events, each sent several times, the last attempt delivered.
    await t.db.query(`INSERT INTO webhook_events (client_id, id, type, data) SELECT $1, gen_random_uuid(), 'order.completed', '{}' FROM generate_series(1, ${EVENTS})`, [clientId]);
    await t.db.query(
      `INSERT INTO webhook_deliveries (client_id, endpoint_id, event_id, job_id, attempt, delivered, status_code, duration_ms)
       SELECT e.client_id, $2, e.id, gen_random_uuid(), a, a = ${ATTEMPTS_PER_EVENT}, 200, 1
       FROM webhook_events e CROSS JOIN generate_series(1, ${ATTEMPTS_PER_EVENT}) a WHERE e.client_id = $1`,
      [clientId, endpointId],
    );
    await t.db.query('ANALYZE webhook_deliveries');
    [{ id: eventId }] = await t.db.query<{ id: string }>('SELECT id FROM webhook_events WHERE client_id = $1 LIMIT 1', [clientId]);
  });
  afterAll(() => t.close());

  const params = () => [[clientId], [endpointId], [eventId], [randomUUID()], 'webhook-delivery'];

  it('counts the event’s own attempts', async () => {
    const [target] = await t.db.query<{ attempts: number; eventId: string }>(DELIVERY_TARGETS, params());
    expect(target).toMatchObject({ eventId, attempts: ATTEMPTS_PER_EVENT });
  });

  it('reads them through an index on the event, not by filtering every attempt of the endpoint', async () => {
    // Which index, not whether one: the plan is read with sequential scans off, for this transaction only.
    await t.db.query('BEGIN');
    await t.db.query('SET LOCAL enable_seqscan = off');
    const [{ 'QUERY PLAN': [plan] }] = await t.db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${DELIVERY_TARGETS}`, params());
    await t.db.query('ROLLBACK');
    const scans = nodesOf(plan.Plan).filter((node) => node['Relation Name'] === 'webhook_deliveries');
    expect(scans).toHaveLength(1);
    expect(scans[0]['Index Cond']).toContain('event_id');
    expect(scans[0].Filter).toBeUndefined();
  });
});
