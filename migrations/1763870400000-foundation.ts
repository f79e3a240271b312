import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Clients, wallets, deposits and the double-entry ledger.
 * Every client table's primary key starts with client_id (docs/architecture.md, "Schema": ready for
 * sharding by client, and every lookup tenant-scoped).
 */
export class Foundation1763870400000 implements MigrationInterface {
  name = 'Foundation1763870400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE clients (
        id          uuid PRIMARY KEY,
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        api_key     text NOT NULL UNIQUE,
        secret_hash bytea NOT NULL,
        is_sandbox  boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // At most one sandbox client, even when several instances boot at once.
    await q.query(`CREATE UNIQUE INDEX clients_one_sandbox ON clients ((true)) WHERE is_sandbox`);

    await q.query(`
      CREATE TABLE wallets (
        client_id   uuid NOT NULL REFERENCES clients (id),
        id          uuid NOT NULL,
        currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        balance     bigint NOT NULL DEFAULT 0 CHECK (balance >= 0 AND balance <= 9007199254740991),
        external_id text CHECK (length(external_id) <= 255),
        metadata    jsonb,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, id)
      )`);

    await q.query(`
      CREATE TABLE deposits (
        client_id  uuid NOT NULL,
        id         uuid NOT NULL,
        wallet_id  uuid NOT NULL,
        amount     bigint NOT NULL CHECK (amount > 0 AND amount <= 9007199254740991),
        currency   text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, id),
        FOREIGN KEY (client_id, wallet_id) REFERENCES wallets (client_id, id)
      )`);

    // One row per leg of a movement. A leg is on a client wallet (wallet_id, with the balance it
    // left) or on a system account (system_account, no balance row: a system account's balance is
    // the sum of its entries, so no request ever waits on a shared hot row).
    await q.query(`
      CREATE TABLE ledger_entries (
        client_id      uuid NOT NULL,
        id             bigint GENERATED ALWAYS AS IDENTITY,
        wallet_id      uuid,
        system_account text CHECK (system_account IN ('FUNDING', 'REVENUE', 'PAYOUT_CLEARING', 'PAYOUTS_SETTLED')),
        currency       text NOT NULL,
        type           text NOT NULL,
        amount         bigint NOT NULL CHECK (amount <> 0),
        balance_after  bigint,
        reference_type text NOT NULL,
        reference_id   uuid NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, id),
        CHECK ((wallet_id IS NULL) <> (system_account IS NULL)),
        CHECK ((wallet_id IS NULL) = (balance_after IS NULL)),
        FOREIGN KEY (client_id, wallet_id) REFERENCES wallets (client_id, id)
      )`);
    await q.query(`CREATE INDEX ledger_entries_by_wallet ON ledger_entries (client_id, wallet_id, id) WHERE wallet_id IS NOT NULL`);
    await q.query(`CREATE INDEX ledger_entries_by_reference ON ledger_entries (client_id, reference_type, reference_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ledger_entries, deposits, wallets, clients`);
  }
}
