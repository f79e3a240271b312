import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A signature authenticates one request: each signature a client used is remembered, with a hash of
 * the request it signed, for longer than its timestamp's window (300 s either way). The same
 * signature is accepted again only for the identical request (a retry), on every instance.
 */
export class SignaturesSeen1763891500000 implements MigrationInterface {
  name = 'SignaturesSeen1763891500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signatures_seen (
        client_id    uuid NOT NULL,
        signature    bytea NOT NULL CHECK (length(signature) = 32),
        request_hash bytea NOT NULL CHECK (length(request_hash) = 32),
        expires_at   timestamptz NOT NULL,
        PRIMARY KEY (client_id, signature)
      )`);
    await q.query(`CREATE INDEX signatures_seen_by_expiry ON signatures_seen (expires_at)`);
    // Remembers a signature for the request it signed; false when it already signed another request.
    await q.query(`
      CREATE FUNCTION signature_first_use(p_client_id uuid, p_signature bytea, p_request_hash bytea)
      RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO signatures_seen (client_id, signature, request_hash, expires_at)
        VALUES (p_client_id, p_signature, p_request_hash, now() + interval '10 minutes')
        ON CONFLICT (client_id, signature) DO UPDATE SET expires_at = signatures_seen.expires_at
        WHERE signatures_seen.request_hash = excluded.request_hash;
        RETURN FOUND;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION signature_first_use`);
    await q.query(`DROP TABLE signatures_seen`);
  }
}
