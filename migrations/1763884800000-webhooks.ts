import { MigrationInterface, QueryRunner } from 'typeorm';

/** Webhook endpoints, the events written with their effects (the outbox), and the delivery log. */
export class Webhooks1763884800000 implements MigrationInterface {
  name = 'Webhooks1763884800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        client_id     uuid NOT NULL REFERENCES clients (id),
        id            uuid NOT NULL,
        url           text NOT NULL CHECK (length(url) <= 2048),
        events        text[] NOT NULL CHECK (cardinality(events) > 0),
        secret_sealed bytea NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, id)
      )`);
    await q.query(`
      CREATE TABLE webhook_events (
        client_id  uuid NOT NULL,
        id         uuid NOT NULL,
        type       text NOT NULL,
        data       jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, id)
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        client_id   uuid NOT NULL,
        id          bigint GENERATED ALWAYS AS IDENTITY,
        endpoint_id uuid NOT NULL,
        event_id    uuid NOT NULL,
        attempt     integer NOT NULL CHECK (attempt >= 1),
        delivered   boolean NOT NULL,
        status_code integer,
        error       text,
        duration_ms integer NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, id),
        FOREIGN KEY (client_id, endpoint_id) REFERENCES webhook_endpoints (client_id, id),
        FOREIGN KEY (client_id, event_id) REFERENCES webhook_events (client_id, id)
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (client_id, endpoint_id, id)`);
    await q.query(`CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (client_id, event_id, endpoint_id) WHERE delivered`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries, webhook_events, webhook_endpoints`);
  }
}
