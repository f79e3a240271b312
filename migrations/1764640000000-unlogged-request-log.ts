import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The request log is a diagnostic written off the requests' path and already allowed to drop rows
 * (a full buffer, a refused batch): UNLOGGED spares every logged request its share of WAL. A
 * PostgreSQL crash empties it, and standbys do not receive it (docs/decisions.md).
 */
export class UnloggedRequestLog1764640000000 implements MigrationInterface {
  name = 'UnloggedRequestLog1764640000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_log SET UNLOGGED`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_log SET LOGGED`);
  }
}
