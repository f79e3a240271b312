import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sandbox console (docs/console.md): the request log, fault rules and console sessions, each
 * keyed by client first. Creating a fault rule and signing in are client writes, so each is an
 * operation (one call, the shared claim) like every other; spending a rule and the sandbox rail's
 * submission are one call each too.
 */
export class Console1764630000000 implements MigrationInterface {
  name = 'Console1764630000000';

  async up(q: QueryRunner): Promise<void> {
    // Written in batches, off the requests' path. No foreign key: every batch would take KEY SHARE on
    // its clients' rows (migration HotRowKeys). status NULL: no answer was sent (drop-response).
    await q.query(`
      CREATE TABLE request_log (
        client_id           uuid NOT NULL,
        entry_id            uuid NOT NULL,
        request_id          text NOT NULL,
        method              text NOT NULL,
        route               text NOT NULL,
        path                text NOT NULL,
        status              smallint,
        idempotency_key     text,
        idempotency_outcome text CHECK (idempotency_outcome IN ('executed', 'replayed', 'reused', 'in_use')),
        sandbox_fault       text,
        duration_ms         real NOT NULL,
        request_body        text,
        response_body       text,
        created_at          timestamptz NOT NULL,
        PRIMARY KEY (client_id, entry_id)
      )`);
    await q.query(`CREATE INDEX request_log_by_key ON request_log (client_id, idempotency_key, entry_id) WHERE idempotency_key IS NOT NULL`);
    await q.query(`CREATE INDEX request_log_by_request_id ON request_log (client_id, request_id, entry_id)`);
    // Rows arrive in time order: a BRIN index finds the expired ones for the sweeper at almost no write cost.
    await q.query(`CREATE INDEX request_log_by_time ON request_log USING brin (created_at)`);

    await q.query(`
      CREATE TABLE sandbox_fault_rules (
        client_id  uuid NOT NULL REFERENCES clients (id),
        id         uuid NOT NULL,
        fault      text NOT NULL,
        endpoint   text,
        key_prefix text,
        times      smallint NOT NULL CHECK (times BETWEEN 1 AND 100),
        remaining  smallint NOT NULL CHECK (remaining BETWEEN 0 AND times),
        created_at timestamptz NOT NULL,
        spent_at   timestamptz,
        PRIMARY KEY (client_id, id)
      )`);
    await q.query(`CREATE INDEX sandbox_fault_rules_armed ON sandbox_fault_rules (client_id, id) WHERE remaining > 0`);

    await q.query(`
      CREATE TABLE console_sessions (
        client_id  uuid NOT NULL REFERENCES clients (id),
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (client_id, token_hash)
      )`);
    await q.query(`CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at)`);

    // Arms a rule. Request faults are announced on the channel every instance listens to, at COMMIT
    // (src/sandbox/armed-clients.ts); rail-reject is read by the rail itself. A client holds at most
    // p_max_armed armed rules.
    await q.query(`
      CREATE FUNCTION create_fault_rule(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                        p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                                        p_rule_id uuid, p_fault text, p_rule_endpoint text, p_key_prefix text, p_times smallint,
                                        p_created_at timestamptz, p_max_armed integer)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;
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
      $$`);

    // Spends one use of the oldest armed request-fault rule matching this request, exactly once across
    // instances: the row lock orders concurrent spenders, and one that finds the rule spent meanwhile
    // moves on to the next match (or none). Also says whether the client still has any armed.
    await q.query(`
      CREATE FUNCTION spend_fault_rule(p_client_id uuid, p_endpoints text[], p_key text, OUT fault text, OUT armed boolean)
      LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE sandbox_fault_rules r
        SET remaining = r.remaining - 1, spent_at = CASE WHEN r.remaining = 1 THEN now() END
        WHERE r.client_id = p_client_id AND r.remaining > 0 AND r.id = (
          SELECT m.id FROM sandbox_fault_rules m
          WHERE m.client_id = p_client_id AND m.remaining > 0 AND m.fault <> 'rail-reject'
            AND (m.endpoint IS NULL OR m.endpoint = ANY (p_endpoints))
            AND (m.key_prefix IS NULL OR starts_with(p_key, m.key_prefix))
          ORDER BY m.id LIMIT 1 FOR UPDATE)
        RETURNING r.fault INTO fault;
        armed := EXISTS (SELECT 1 FROM sandbox_fault_rules WHERE client_id = p_client_id AND remaining > 0 AND sandbox_fault_rules.fault <> 'rail-reject');
      END
      $$`);

    // The sandbox rail pays a key once (its first submission decides). A first submission spends one
    // use of the client's armed rail-reject rule, if any, and is rejected; the insert holds the key, so a
    // concurrent submission of the same key waits, then reads the decision.
    await q.query(`
      CREATE FUNCTION sandbox_rail_submit(p_client_id uuid, p_idempotency_key text, p_amount bigint, p_currency text, p_destination jsonb,
                                          p_outcome text, p_failure_reason text, OUT outcome text, OUT failure_reason text)
      LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO sandbox_rail_transfers (idempotency_key, amount, currency, destination, outcome, failure_reason)
        VALUES (p_idempotency_key, p_amount, p_currency, p_destination, p_outcome, p_failure_reason)
        ON CONFLICT (idempotency_key) DO NOTHING;
        IF FOUND THEN
          UPDATE sandbox_fault_rules r
          SET remaining = r.remaining - 1, spent_at = CASE WHEN r.remaining = 1 THEN now() END
          WHERE r.client_id = p_client_id AND r.remaining > 0 AND r.id = (
            SELECT m.id FROM sandbox_fault_rules m
            WHERE m.client_id = p_client_id AND m.remaining > 0 AND m.fault = 'rail-reject'
            ORDER BY m.id LIMIT 1 FOR UPDATE);
          IF FOUND THEN
            UPDATE sandbox_rail_transfers
            SET outcome = 'FAILED', failure_reason = 'REJECTED_BY_RAIL: a sandbox rail-reject fault rule rejected this payout'
            WHERE idempotency_key = p_idempotency_key;
          END IF;
        END IF;
        SELECT t.outcome, t.failure_reason INTO outcome, failure_reason FROM sandbox_rail_transfers t WHERE t.idempotency_key = p_idempotency_key;
      END
      $$`);

    await q.query(`
      CREATE FUNCTION create_console_session(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                             p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                                             p_token_hash bytea, p_created_at timestamptz, p_expires_at timestamptz)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;
        INSERT INTO console_sessions (client_id, token_hash, created_at, expires_at) VALUES (p_client_id, p_token_hash, p_created_at, p_expires_at);
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status, p_body);
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION create_console_session, sandbox_rail_submit, spend_fault_rule, create_fault_rule`);
    await q.query(`DROP TABLE console_sessions, sandbox_fault_rules, request_log`);
  }
}
