import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The idempotency record. The claim (INSERT) and the response (UPDATE) commit in the same
 * transaction as the business effect, so a committed row always holds its response: response
 * columns are NULL only inside the claiming transaction, which nobody else can see.
 */
export class IdempotencyKeys1763874000000 implements MigrationInterface {
  name = 'IdempotencyKeys1763874000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        client_id        uuid NOT NULL REFERENCES clients (id),
        endpoint         text NOT NULL,
        key              text NOT NULL CHECK (length(key) BETWEEN 1 AND 256 AND key ~ '^[\\x21-\\x7e]+$'),
        request_hash     bytea NOT NULL CHECK (length(request_hash) = 32),
        response_status  smallint,
        response_headers jsonb,
        response_body    text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        completed_at     timestamptz,
        expires_at       timestamptz NOT NULL,
        PRIMARY KEY (client_id, endpoint, key)
      )`);
    // The sweeper deletes expired rows in batches, oldest first.
    await q.query(`CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
