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
  let quietEndpointId: string;
  let eventId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const client = await t.newClient();
    clientId = client.clientId;
    const endpoint = await t.request('POST', '/v1/webhooks', { headers: withKey(client.headers), body: { url: 'http://127.0.0.1:9/hook', events: ['order.completed'] } });
    expect(endpoint.status).toBe(201);
    endpointId = endpoint.json.id;
    // No autovacuum analyze may give the table statistics before the test that reads its plan without them.
    await t.db.query('ALTER TABLE webhook_deliveries SET (autovacuum_enabled = false)');
    // One busy endpoint: many events, each sent several times, the last attempt delivered.
    await t.db.query(`INSERT INTO webhook_events (client_id, id, type, data) SELECT $1, gen_random_uuid(), 'order.completed', '{}' FROM generate_series(1, ${EVENTS})`, [clientId]);
    await t.db.query(
      `INSERT INTO webhook_deliveries (client_id, endpoint_id, event_id, job_id, attempt, delivered, status_code, duration_ms)
       SELECT e.client_id, $2, e.id, gen_random_uuid(), a, a = ${ATTEMPTS_PER_EVENT}, 200, 1
       FROM webhook_events e CROSS JOIN generate_series(1, ${ATTEMPTS_PER_EVENT}) a WHERE e.client_id = $1`,
      [clientId, endpointId],
    );
    [{ id: eventId }] = await t.db.query<{ id: string }>('SELECT id FROM webhook_events WHERE client_id = $1 LIMIT 1', [clientId]);
    // A second endpoint subscribed to the same event, tried once and not delivered: its attempts are its own.
    const quiet = await t.request('POST', '/v1/webhooks', { headers: withKey(client.headers), body: { url: 'http://127.0.0.1:9/quiet', events: ['order.completed'] } });
    expect(quiet.status).toBe(201);
    quietEndpointId = quiet.json.id;
    await t.db.query(
      `INSERT INTO webhook_deliveries (client_id, endpoint_id, event_id, job_id, attempt, delivered, status_code, duration_ms)
       VALUES ($1, $2, $3, gen_random_uuid(), 1, false, 500, 1)`,
      [clientId, quietEndpointId, eventId],
    );
  });
  afterAll(() => t.close());

  const params = () => [[clientId], [endpointId], [eventId], [randomUUID()], 'webhook-delivery'];

  it('counts the event’s own attempts, to each endpoint apart', async () => {
    const targets = await t.db.query<{ attempts: number; endpointId: string; eventId: string }>(DELIVERY_TARGETS, [
      [clientId, clientId],
      [endpointId, quietEndpointId],
      [eventId, eventId],
      [randomUUID(), randomUUID()],
      'webhook-delivery',
    ]);
    expect(targets).toMatchObject([
      { endpointId, eventId, attempts: ATTEMPTS_PER_EVENT },
      { endpointId: quietEndpointId, eventId, attempts: 1 },
    ]);
  });

  /** The lookup's scan of webhook_deliveries, read with sequential scans off for one transaction: which index, not whether one. */
  async function attemptsScan(): Promise<PlanNode> {
    await t.db.query('BEGIN');
    await t.db.query('SET LOCAL enable_seqscan = off');
    const [{ 'QUERY PLAN': [plan] }] = await t.db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${DELIVERY_TARGETS}`, params());
    await t.db.query('ROLLBACK');
    const scans = nodesOf(plan.Plan).filter((node) => node['Relation Name'] === 'webhook_deliveries');
    expect(scans).toHaveLength(1);
    return scans[0];
  }

  // Before its first ANALYZE the planner knows nothing of the table: an index on (client, endpoint) looked as good
  // as one on the event, and reading every attempt of a busy endpoint took 220 ms a batch under load.
  it('reads them through an index on the event before the table has statistics', async () => {
    const [{ analyzed }] = await t.db.query<{ analyzed: boolean }>(
      `SELECT (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL) AS analyzed FROM pg_stat_user_tables WHERE relname = 'webhook_deliveries'`,
    );
    expect(analyzed).toBe(false);
    const scan = await attemptsScan();
    expect(scan['Index Name']).toBe('webhook_deliveries_by_event_endpoint');
    expect(scan['Index Cond']).toContain('event_id');
    expect(scan['Index Cond']).not.toContain('endpoint_id');
  });

  it('and after, not by filtering every attempt of the endpoint', async () => {
    await t.db.query('ANALYZE webhook_deliveries');
    const scan = await attemptsScan();
    expect(scan['Index Name']).toBe('webhook_deliveries_by_event_endpoint');
    expect(scan.Filter).toBeUndefined();
  });
});
