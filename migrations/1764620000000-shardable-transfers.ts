import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops the foreign key from a transfer to its destination wallet, (to_client_id, to_wallet_id): it
 * does not carry the transfer's own client_id, and a schema sharded by client (Citus) keeps only
 * foreign keys between client tables that join client_id to client_id; a transfer to another
 * client's wallet points into another shard. The reference stays sound without it: transfer() locks
 * and reads the destination row in the very call that writes the transfer, and wallets are never
 * deleted. test/e2e/citus-ready.e2e.spec.ts holds the schema to these rules.
 */
export class ShardableTransfers1764620000000 implements MigrationInterface {
  name = 'ShardableTransfers1764620000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfers DROP CONSTRAINT transfers_to_client_id_to_wallet_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfers ADD CONSTRAINT transfers_to_client_id_to_wallet_id_fkey FOREIGN KEY (to_client_id, to_wallet_id) REFERENCES wallets (client_id, id)`);
  }
}
