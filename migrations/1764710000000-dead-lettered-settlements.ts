import { MigrationInterface, QueryRunner } from 'typeorm';
import { requeueStrandedPayouts, UNMARKED_WITHOUT_UNFINISHED_JOB } from './1764670000000-settlement-abandoned';

/**
 * A settlement that fails for good is handed by pg-boss to the dead-letter queue
 * `payout-settlement-abandoned` (src/payouts/payout-settlement.ts), in the same transaction that fails it,
 * and that queue's worker marks the payout. So the reconciler leaves a payout alone while its dead-letter
 * job is not yet done (or itself failed), instead of while a `failed` settlement job exists: an operator
 * who clears the mark now hands the payout back at once, not once pg-boss has archived the failed job
 * (12 hours), and a failed job that never reached the dead-letter queue is requeued, not forgotten.
 */
export class DeadLetteredSettlements1764710000000 implements MigrationInterface {
  name = 'DeadLetteredSettlements1764710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(requeueStrandedPayouts(`
          SELECT client_id, id FROM payouts WHERE status = 'PENDING' AND settlement_abandoned_at IS NULL
          EXCEPT
          SELECT (data->>'clientId')::uuid, (data->>'payoutId')::uuid FROM pgboss.job
          WHERE (name = 'payout-settlement' AND state < 'completed')
             OR (name = 'payout-settlement-abandoned' AND state <> 'completed')
          LIMIT p_limit`));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(requeueStrandedPayouts(UNMARKED_WITHOUT_UNFINISHED_JOB));
  }
}
