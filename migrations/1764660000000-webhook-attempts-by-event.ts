import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery job counts its event's earlier attempts at its endpoint (`findDeliveryTargets`). The only
 * index with the event in it held delivered attempts alone, so the count read every attempt the
 * endpoint ever had: 0.8 ms a job at 6,000 of them, and growing with every delivery. This one holds
 * every attempt and serves what the partial one did.
 *
 * Built in the migration's transaction, which holds back new delivery rows meanwhile; a deployment with
 * a large log may build it first with CREATE INDEX CONCURRENTLY under the same name, and this skips it.
 */
export class WebhookAttemptsByEvent1764660000000 implements MigrationInterface {
  name = 'WebhookAttemptsByEvent1764660000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS webhook_deliveries_by_event_endpoint ON webhook_deliveries (client_id, event_id, endpoint_id)`);
    await q.query(`DROP INDEX webhook_deliveries_by_event`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (client_id, event_id, endpoint_id) WHERE delivered`);
    await q.query(`DROP INDEX webhook_deliveries_by_event_endpoint`);
  }
}
