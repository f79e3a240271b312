import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks as Standard Webhooks 1.0 has them (docs/webhooks.md): secret rotation with a 24-hour
 * window for the previous secret, endpoints disabled by a 410 Gone, and redelivery.
 *
 * Secrets already registered stay as they are: each is `whsec_` and 32 random bytes written in
 * base64url, and the key of the new signature is those same bytes (Node reads either base64
 * alphabet), so no receiver loses its key; a receiver rewrites its copy in standard base64, or rotates
 * (docs/decisions.md). A migration could not re-seal them anyway: the sealing key is not the database's.
 */
export class WebhookStandard1764600000000 implements MigrationInterface {
  name = 'WebhookStandard1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE webhook_endpoints
        ADD COLUMN previous_secret_sealed     bytea,
        ADD COLUMN previous_secret_expires_at timestamptz,
        ADD COLUMN disabled_at                timestamptz,
        ADD CONSTRAINT webhook_endpoints_previous_secret CHECK ((previous_secret_sealed IS NULL) = (previous_secret_expires_at IS NULL))`);
    await q.query(`
      COMMENT ON COLUMN webhook_endpoints.secret_sealed IS
        'whsec_ + base64 of the 32-byte HMAC key, sealed with AES-256-GCM under CREDENTIALS_KEY; endpoints registered before migration WebhookStandard hold base64url, which decodes to the same key'`);
    // The pg-boss job an attempt ran in: its next retry is that job's start_after.
    await q.query(`ALTER TABLE webhook_deliveries ADD COLUMN job_id uuid`);

    // As before, but a disabled endpoint is not sent anything more.
    await q.query(`
      CREATE OR REPLACE FUNCTION outbox_emit(p_client_id uuid, p_type text, p_template text, p_decided jsonb DEFAULT '{}')
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        event_id uuid;
        endpoint_id uuid;
      BEGIN
        FOR endpoint_id IN
          SELECT id FROM webhook_endpoints WHERE client_id = p_client_id AND p_type = ANY (events) AND disabled_at IS NULL
        LOOP
          IF event_id IS NULL THEN
            event_id := gen_random_uuid();
            INSERT INTO webhook_events (client_id, id, type, data)
            VALUES (p_client_id, event_id, p_type, fill_decided(p_template, p_decided)::jsonb);
          END IF;
          PERFORM job_enqueue('webhook-delivery', jsonb_build_object('clientId', p_client_id, 'endpointId', endpoint_id, 'eventId', event_id), now());
        END LOOP;
      END
      $$`);

    await q.query(`
      CREATE FUNCTION webhook_endpoint_fields(p_endpoint webhook_endpoints) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
        SELECT jsonb_build_object(
          'url', p_endpoint.url,
          'events', to_jsonb(p_endpoint.events),
          'status', CASE WHEN p_endpoint.disabled_at IS NULL THEN 'ENABLED' ELSE 'DISABLED' END,
          'disabled_at', to_char(p_endpoint.disabled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'created_at', to_char(p_endpoint.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      $$`);

    // The new secret signs from now on; the one it replaces is sent beside it until p_previous_expires_at.
    // A second rotation inside the window retires the oldest at once: two signatures at most.
    await q.query(`
      CREATE FUNCTION rotate_webhook_secret(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                            p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                                            p_webhook_id uuid, p_secret_sealed bytea, p_previous_expires_at timestamptz)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
        rotated webhook_endpoints%ROWTYPE;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;
        UPDATE webhook_endpoints
        SET previous_secret_sealed = secret_sealed, previous_secret_expires_at = p_previous_expires_at, secret_sealed = p_secret_sealed
        WHERE client_id = p_client_id AND id = p_webhook_id
        RETURNING * INTO rotated;
        IF NOT FOUND THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'WEBHOOK_NOT_FOUND');
        END IF;
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status,
                                  fill_decided(p_body, webhook_endpoint_fields(rotated)));
      END
      $$`);

    // Sends a logged attempt's event to its endpoint again: one more delivery job, as outbox_emit enqueues them.
    await q.query(`
      CREATE FUNCTION redeliver_webhook(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                        p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                                        p_webhook_id uuid, p_delivery_id bigint)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
        target webhook_endpoints%ROWTYPE;
        delivered record;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;
        SELECT * INTO target FROM webhook_endpoints WHERE client_id = p_client_id AND id = p_webhook_id;
        IF NOT FOUND THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'WEBHOOK_NOT_FOUND');
        END IF;
        SELECT d.event_id, e.type INTO delivered
        FROM webhook_deliveries d JOIN webhook_events e ON e.client_id = d.client_id AND e.id = d.event_id
        WHERE d.client_id = p_client_id AND d.endpoint_id = p_webhook_id AND d.id = p_delivery_id;
        IF NOT FOUND THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'DELIVERY_NOT_FOUND');
        END IF;
        IF target.disabled_at IS NOT NULL THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'WEBHOOK_DISABLED');
        END IF;
        PERFORM job_enqueue('webhook-delivery', jsonb_build_object('clientId', p_client_id, 'endpointId', p_webhook_id, 'eventId', delivered.event_id), now());
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status,
                                  fill_decided(p_body, jsonb_build_object('event_id', delivered.event_id, 'event_type', delivered.type)));
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION redeliver_webhook, rotate_webhook_secret, webhook_endpoint_fields`);
    await q.query(`
      CREATE OR REPLACE FUNCTION outbox_emit(p_client_id uuid, p_type text, p_template text, p_decided jsonb DEFAULT '{}')
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        event_id uuid;
        endpoint_id uuid;
      BEGIN
        FOR endpoint_id IN SELECT id FROM webhook_endpoints WHERE client_id = p_client_id AND p_type = ANY (events) LOOP
          IF event_id IS NULL THEN
            event_id := gen_random_uuid();
            INSERT INTO webhook_events (client_id, id, type, data)
            VALUES (p_client_id, event_id, p_type, fill_decided(p_template, p_decided)::jsonb);
          END IF;
          PERFORM job_enqueue('webhook-delivery', jsonb_build_object('clientId', p_client_id, 'endpointId', endpoint_id, 'eventId', event_id), now());
        END LOOP;
      END
      $$`);
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN job_id`);
    await q.query(`COMMENT ON COLUMN webhook_endpoints.secret_sealed IS NULL`);
    await q.query(`
      ALTER TABLE webhook_endpoints
        DROP CONSTRAINT webhook_endpoints_previous_secret,
        DROP COLUMN disabled_at, DROP COLUMN previous_secret_expires_at, DROP COLUMN previous_secret_sealed`);
  }
}
