import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `Authorization: Bearer <api_secret>` names no API key: the secret alone finds its client, by the
 * SHA-256 already stored. An index lookup of that hash is no timing oracle: a caller cannot steer
 * the digest of what it sends towards a stored one, so how far a comparison got tells it nothing.
 */
export class SecretLookup1764610000000 implements MigrationInterface {
  name = 'SecretLookup1764610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX clients_by_secret_hash ON clients (secret_hash)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX clients_by_secret_hash`);
  }
}
