import { MigrationInterface, QueryRunner } from 'typeorm';

const REGISTER_ARGUMENTS = `p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
  p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
  p_webhook_id uuid, p_url text, p_events text[], p_secret_sealed bytea, p_created_at timestamptz`;

/** The claim, as every operation's function begins. */
const CLAIM = `claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;`;

/** The endpoint's row and the recorded answer, as before this migration. */
const REGISTER = `INSERT INTO webhook_endpoints (client_id, id, url, events, secret_sealed, created_at)
        VALUES (p_client_id, p_webhook_id, p_url, p_events, p_secret_sealed, p_created_at);
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status, p_body);`;

/**
 * A client has at most a fixed number of webhook endpoints, and can delete one. Unbounded, one client's
 * order wrote an event job per endpoint inside its own call: ten thousand endpoints made every order
 * ten thousand job rows and as many POSTs, at the service's cost.
 *
 * Deleting an endpoint deletes its attempt log with it (nothing can list it any more); its events stay,
 * since other endpoints may share them.
 */
export class WebhookEndpointLimit1764680000000 implements MigrationInterface {
  name = 'WebhookEndpointLimit1764680000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_client_id_endpoint_id_fkey`);
    await q.query(`
      ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_client_id_endpoint_id_fkey
        FOREIGN KEY (client_id, endpoint_id) REFERENCES webhook_endpoints (client_id, id) ON DELETE CASCADE`);

    await q.query(`DROP FUNCTION register_webhook(${REGISTER_ARGUMENTS})`);
    await q.query(`
      CREATE FUNCTION register_webhook(${REGISTER_ARGUMENTS}, p_max_endpoints integer)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
      BEGIN
        ${CLAIM}
        -- One client's registrations take turns (the client row, for the claim's lock_timeout at most):
        -- two at once cannot both take the last place. FOR NO KEY UPDATE leaves foreign-key checks alone.
        PERFORM 1 FROM clients WHERE id = p_client_id FOR NO KEY UPDATE;
        IF (SELECT count(*) FROM webhook_endpoints WHERE client_id = p_client_id) >= p_max_endpoints THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'WEBHOOK_LIMIT_REACHED');
        END IF;
        ${REGISTER}
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION register_webhook(${REGISTER_ARGUMENTS}, p_max_endpoints integer)`);
    await q.query(`
      CREATE FUNCTION register_webhook(${REGISTER_ARGUMENTS})
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
      BEGIN
        ${CLAIM}
        ${REGISTER}
      END
      $$`);
    await q.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_client_id_endpoint_id_fkey`);
    await q.query(`
      ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_client_id_endpoint_id_fkey
        FOREIGN KEY (client_id, endpoint_id) REFERENCES webhook_endpoints (client_id, id)`);
  }
}
