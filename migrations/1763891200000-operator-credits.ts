import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * In production money enters through the operator's credits (POST /v1/admin/wallets/:id/credits):
 * deposits that carry the operator's reference (a bank transfer's id, say).
 */
export class OperatorCredits1763891200000 implements MigrationInterface {
  name = 'OperatorCredits1763891200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deposits ADD COLUMN reference text CHECK (length(reference) BETWEEN 1 AND 255)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deposits DROP COLUMN reference`);
  }
}
