import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A settlement whose last retry failed is left to an operator. The reconciler knew that only from the
 * job's `failed` state, which pg-boss moves to its archive after 12 hours (archiveFailedAfterSeconds);
 * after that it requeued the payout as if its job had been lost. The payout now carries the fact itself.
 */
export class SettlementAbandoned1764670000000 implements MigrationInterface {
  name = 'SettlementAbandoned1764670000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payouts ADD COLUMN settlement_abandoned_at timestamptz`);
    await q.query(`
      COMMENT ON COLUMN payouts.settlement_abandoned_at IS
        'When the settlement''s last retry failed: the reconciler leaves the payout PENDING for an operator; clearing it lets the reconciler requeue it'`);
    await q.query(`
      CREATE OR REPLACE FUNCTION requeue_stranded_payouts(p_limit integer) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE
        stranded record;
        requeued integer := 0;
      BEGIN
        -- One sweep at a time across instances: two would give a payout two spare jobs.
        IF NOT pg_try_advisory_xact_lock(7263003) THEN RETURN 0; END IF;
        -- A settlement that ran out of retries is left for an operator: marked on the payout, or (while
        -- pg-boss still holds it) a failed job.
        FOR stranded IN
          SELECT p.client_id, p.id FROM payouts p
          WHERE p.status = 'PENDING'
            AND p.settlement_abandoned_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM pgboss.job j
                            WHERE j.name = 'payout-settlement' AND j.state <> 'completed' AND j.data->>'payoutId' = p.id::text)
          LIMIT p_limit
        LOOP
          PERFORM job_enqueue('payout-settlement', jsonb_build_object('clientId', stranded.client_id, 'payoutId', stranded.id), now());
          requeued := requeued + 1;
        END LOOP;
        RETURN requeued;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION requeue_stranded_payouts(p_limit integer) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE
        stranded record;
        requeued integer := 0;
      BEGIN
        IF NOT pg_try_advisory_xact_lock(7263003) THEN RETURN 0; END IF;
        FOR stranded IN
          SELECT p.client_id, p.id FROM payouts p
          WHERE p.status = 'PENDING'
            AND NOT EXISTS (SELECT 1 FROM pgboss.job j
                            WHERE j.name = 'payout-settlement' AND j.state <> 'completed' AND j.data->>'payoutId' = p.id::text)
          LIMIT p_limit
        LOOP
          PERFORM job_enqueue('payout-settlement', jsonb_build_object('clientId', stranded.client_id, 'payoutId', stranded.id), now());
          requeued := requeued + 1;
        END LOOP;
        RETURN requeued;
      END
      $$`);
    await q.query(`ALTER TABLE payouts DROP COLUMN settlement_abandoned_at`);
  }
}
