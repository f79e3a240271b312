import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook events and their attempts are deleted once past WEBHOOK_LOG_TTL_SECONDS (WebhookSweeper), found
 * by age. Events are written in time order, so a BRIN index finds the old ones for almost nothing on
 * each insert; their attempts are found through their event (webhook_deliveries_by_event_endpoint).
 */
export class WebhookLogRetention1764700000000 implements MigrationInterface {
  name = 'WebhookLogRetention1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX webhook_events_by_time ON webhook_events USING brin (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX webhook_events_by_time`);
  }
}
