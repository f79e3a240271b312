import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `effect_refused()` aborts the statement it runs in. A first-time request may claim its key, make
 * its effect and record its response in one statement (docs/idempotency.md, "One statement"); when
 * the effect's guard finds nothing to do (a short balance, say), the statement must not keep the
 * claim with a success recorded on it, so it calls this and everything it wrote is undone.
 */
export class EffectRefusal1763888400000 implements MigrationInterface {
  name = 'EffectRefusal1763888400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION effect_refused() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        RAISE EXCEPTION 'the effect was refused; the statement is undone' USING ERRCODE = 'LL001';
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION effect_refused()`);
  }
}
