import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the seed dialects need: a sealed copy of each API secret (HMAC request signatures can only
 * be checked by someone holding the secret), and CatFee's energy orders (large quantities, rented
 * for a duration).
 */
export class Dialects1763881200000 implements MigrationInterface {
  name = 'Dialects1763881200000';

  async up(q: QueryRunner): Promise<void> {
    // AES-256-GCM under CREDENTIALS_KEY: iv (12 bytes) || tag (16) || ciphertext. NULL for clients
    // created before this migration: they authenticate with X-API-Secret only.
    await q.query(`ALTER TABLE clients ADD COLUMN secret_sealed bytea`);
    // The 1-10000 bound belongs to POST /v1/orders (docs/decisions.md, "order quantity"); CatFee sells energy by the 65 000.
    await q.query(`ALTER TABLE orders DROP CONSTRAINT orders_quantity_check`);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_quantity_check CHECK (quantity BETWEEN 1 AND 1000000000)`);
    await q.query(`ALTER TABLE orders ADD COLUMN duration_hours integer CHECK (duration_hours BETWEEN 1 AND 720)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders DROP COLUMN duration_hours`);
    await q.query(`ALTER TABLE orders DROP CONSTRAINT orders_quantity_check`);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_quantity_check CHECK (quantity BETWEEN 1 AND 10000)`);
    await q.query(`ALTER TABLE clients DROP COLUMN secret_sealed`);
  }
}
