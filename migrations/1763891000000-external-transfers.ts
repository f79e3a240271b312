import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A wallet takes transfers from other clients only when its owner says so; until then, to every
 * other client it is as if it did not exist. Pending payouts are indexed by wallet, so a transfer
 * from another client can leave room for their refunds.
 */
export class ExternalTransfers1763891000000 implements MigrationInterface {
  name = 'ExternalTransfers1763891000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE wallets ADD COLUMN accepts_external_transfers boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX payouts_pending_by_wallet ON payouts (client_id, wallet_id) WHERE status = 'PENDING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX payouts_pending_by_wallet`);
    await q.query(`ALTER TABLE wallets DROP COLUMN accepts_external_transfers`);
  }
}
