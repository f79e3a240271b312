import { MigrationInterface, QueryRunner } from 'typeorm';

/** The reconciler's function, which gives each of `candidates` (client_id, id; at most p_limit) a new settlement job. */
export function requeueStrandedPayouts(candidates: string): string {
  return `
      CREATE OR REPLACE FUNCTION requeue_stranded_payouts(p_limit integer) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE
        stranded record;
        requeued integer := 0;
      BEGIN
        -- One sweep at a time across instances: two would give a payout two spare jobs.
        IF NOT pg_try_advisory_xact_lock(7263003) THEN RETURN 0; END IF;
        FOR stranded IN ${candidates}
        LOOP
          PERFORM job_enqueue('payout-settlement', jsonb_build_object('clientId', stranded.client_id, 'payoutId', stranded.id), now());
          requeued := requeued + 1;
        END LOOP;
        RETURN requeued;
      END
      $$`;
}

/** PENDING payouts not abandoned, less those a live or failed settlement job names. */
export const UNMARKED_WITHOUT_UNFINISHED_JOB = `
          SELECT client_id, id FROM payouts WHERE status = 'PENDING' AND settlement_abandoned_at IS NULL
          EXCEPT
          SELECT (data->>'clientId')::uuid, (data->>'payoutId')::uuid FROM pgboss.job
          WHERE name = 'payout-settlement' AND state <> 'completed'
          LIMIT p_limit`;

/**
 * Two faults of the stranded-payout reconciler (migration StrandedPayouts).
 *
 * A settlement whose last retry failed is left to an operator. The reconciler knew that only from the
 * job's `failed` state, which pg-boss moves to its archive after 12 hours (archiveFailedAfterSeconds);
 * after that it requeued the payout as if its job had been lost. The payout now carries the fact itself.
 *
 * Its NOT EXISTS under a LIMIT let the planner, before `payouts` had statistics, compare every PENDING
 * payout with every live job's `data->>'payoutId'` (a nested loop): with 81,000 of each, one sweep ran for
 * minutes on a core. The candidates are now a set difference (EXCEPT), which PostgreSQL
 * computes by hashing or sorting, whatever it thinks of the tables.
 */
export class SettlementAbandoned1764670000000 implements MigrationInterface {
  name = 'SettlementAbandoned1764670000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payouts ADD COLUMN settlement_abandoned_at timestamptz`);
    await q.query(`
      COMMENT ON COLUMN payouts.settlement_abandoned_at IS
        'When the settlement''s last retry failed: the reconciler leaves the payout PENDING for an operator; clearing it lets the reconciler requeue it'`);
    await q.query(requeueStrandedPayouts(UNMARKED_WITHOUT_UNFINISHED_JOB));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(requeueStrandedPayouts(`
          SELECT p.client_id, p.id FROM payouts p
          WHERE p.status = 'PENDING'
            AND NOT EXISTS (SELECT 1 FROM pgboss.job j
                            WHERE j.name = 'payout-settlement' AND j.state <> 'completed' AND j.data->>'payoutId' = p.id::text)
          LIMIT p_limit`));
    await q.query(`ALTER TABLE payouts DROP COLUMN settlement_abandoned_at`);
  }
}
