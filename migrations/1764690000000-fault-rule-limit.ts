import { MigrationInterface, QueryRunner } from 'typeorm';

/** `create_fault_rule` as the Console migration made it, with `turnTaking` run before the count. */
function createFaultRule(turnTaking: string): string {
  return `
      CREATE OR REPLACE FUNCTION create_fault_rule(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                                   p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                                                   p_rule_id uuid, p_fault text, p_rule_endpoint text, p_key_prefix text, p_times smallint,
                                                   p_created_at timestamptz, p_max_armed integer)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;${turnTaking}
        IF (SELECT count(*) FROM sandbox_fault_rules WHERE client_id = p_client_id AND remaining > 0) >= p_max_armed THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'TOO_MANY_FAULT_RULES');
        END IF;
        INSERT INTO sandbox_fault_rules (client_id, id, fault, endpoint, key_prefix, times, remaining, created_at)
        VALUES (p_client_id, p_rule_id, p_fault, p_rule_endpoint, p_key_prefix, p_times, p_times, p_created_at);
        IF p_fault <> 'rail-reject' THEN
          PERFORM pg_notify('sandbox_fault_rules', p_client_id::text);
        END IF;
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status, p_body);
      END
      $$`;
}

/**
 * The armed-rule limit counted without a lock: rules created at once each counted the others as not
 * there yet, and all of them armed, past the limit. Now one client's creations take turns on its row,
 * as webhook registrations do (migration WebhookEndpointLimit).
 */
export class FaultRuleLimit1764690000000 implements MigrationInterface {
  name = 'FaultRuleLimit1764690000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      createFaultRule(`
        -- For the claim's lock_timeout at most; FOR NO KEY UPDATE leaves foreign-key checks alone.
        PERFORM 1 FROM clients WHERE id = p_client_id FOR NO KEY UPDATE;`),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(createFaultRule(''));
  }
}
