import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A payout's settlement and its job's completion are two transactions. Under asynchronous
 * replication a failover can keep the second and lose the first: the payout stays PENDING with no
 * job left to settle it. `requeue_stranded_payouts` gives each such payout a new settlement job;
 * settling is idempotent (the rail's key, the conditional UPDATE), so a spare job changes nothing.
 */
export class StrandedPayouts1764650000000 implements MigrationInterface {
  name = 'StrandedPayouts1764650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION requeue_stranded_payouts(p_limit integer) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE
        stranded record;
        requeued integer := 0;
      BEGIN
        -- One sweep at a time across instances: two would give a payout two spare jobs.
        IF NOT pg_try_advisory_xact_lock(7263003) THEN RETURN 0; END IF;
        -- A failed job is left for an operator: it ran out of retries for a reason.
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION requeue_stranded_payouts`);
  }
}
