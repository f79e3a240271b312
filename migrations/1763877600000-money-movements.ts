import { MigrationInterface, QueryRunner } from 'typeorm';

/** Products (a seeded global catalogue), orders, transfers, payouts and the sandbox payout rail. */
export class MoneyMovements1763877600000 implements MigrationInterface {
  name = 'MoneyMovements1763877600000';

  async up(q: QueryRunner): Promise<void> {
    // A transfer may credit another client's wallet, found by its id alone.
    await q.query(`CREATE INDEX wallets_by_id ON wallets (id)`);
    // The default wallet of a currency is the client's oldest one.
    await q.query(`CREATE INDEX wallets_by_client_currency ON wallets (client_id, currency, id)`);

    // A reference table: global, not owned by any client.
    await q.query(`
      CREATE TABLE products (
        id            integer PRIMARY KEY,
        name          text NOT NULL,
        type          text NOT NULL CHECK (type IN ('DENOMINATION', 'UNIT')),
        currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        denominations bigint[] CHECK (cardinality(denominations) > 0 AND 0 < ALL (denominations)),
        unit_price    bigint CHECK (unit_price > 0),
        CHECK ((type = 'DENOMINATION') = (denominations IS NOT NULL)),
        CHECK ((type = 'UNIT') = (unit_price IS NOT NULL))
      )`);
    await q.query(`
      INSERT INTO products (id, name, type, currency, denominations, unit_price) VALUES
        (123, 'Starship Gift Card (USD)',      'DENOMINATION', 'USD', '{1000,2500,5000,10000}', NULL),
        (124, 'Online Store Gift Card (EUR)',  'DENOMINATION', 'EUR', '{1500,2500,5000,10000}', NULL),
        (125, 'Game Store Gift Card (GBP)',    'DENOMINATION', 'GBP', '{1000,2000,5000}',       NULL),
        (200, 'TRON Energy, per unit-hour',    'UNIT',         'TRX', NULL, 162),
        (201, 'Mobile Data, per 100 MB (EUR)', 'UNIT',         'EUR', NULL, 45)`);

    await q.query(`
      CREATE TABLE orders (
        client_id       uuid NOT NULL,
        id              uuid NOT NULL,
        client_order_id text,
        status          text NOT NULL CHECK (status = 'COMPLETED'),
        wallet_id       uuid NOT NULL,
        product_id      integer NOT NULL REFERENCES products (id),
        quantity        integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
        denomination    bigint,
        receiver        text,
        amount          bigint NOT NULL CHECK (amount > 0 AND amount <= 9007199254740991),
        currency        text NOT NULL,
        metadata        jsonb,
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, id),
        FOREIGN KEY (client_id, wallet_id) REFERENCES wallets (client_id, id)
      )`);
    // After a key expires the same client_order_id may name a new order: a lookup lists them all.
    await q.query(`CREATE INDEX orders_by_client_order_id ON orders (client_id, client_order_id, id) WHERE client_order_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE transfers (
        client_id      uuid NOT NULL,
        id             uuid NOT NULL,
        status         text NOT NULL CHECK (status = 'COMPLETED'),
        from_wallet_id uuid NOT NULL,
        to_client_id   uuid NOT NULL,
        to_wallet_id   uuid NOT NULL,
        amount         bigint NOT NULL CHECK (amount > 0 AND amount <= 9007199254740991),
        currency       text NOT NULL,
        description    text,
        created_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, id),
        CHECK (from_wallet_id <> to_wallet_id),
        FOREIGN KEY (client_id, from_wallet_id) REFERENCES wallets (client_id, id),
        FOREIGN KEY (to_client_id, to_wallet_id) REFERENCES wallets (client_id, id)
      )`);

    await q.query(`
      CREATE TABLE payouts (
        client_id      uuid NOT NULL,
        id             uuid NOT NULL,
        status         text NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
        wallet_id      uuid NOT NULL,
        amount         bigint NOT NULL CHECK (amount > 0 AND amount <= 9007199254740991),
        currency       text NOT NULL,
        destination    jsonb NOT NULL,
        failure_reason text,
        metadata       jsonb,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, id),
        CHECK ((status = 'FAILED') = (failure_reason IS NOT NULL)),
        FOREIGN KEY (client_id, wallet_id) REFERENCES wallets (client_id, id)
      )`);

    // The sandbox stand-in for an external payout rail. Like a real one, it deduplicates on the
    // caller's idempotency key: the same key never pays twice and always reports the same outcome.
    await q.query(`
      CREATE TABLE sandbox_rail_transfers (
        idempotency_key text PRIMARY KEY,
        amount          bigint NOT NULL,
        currency        text NOT NULL,
        destination     jsonb NOT NULL,
        outcome         text NOT NULL CHECK (outcome IN ('COMPLETED', 'FAILED')),
        failure_reason  text,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sandbox_rail_transfers, payouts, transfers, orders, products`);
    await q.query(`DROP INDEX wallets_by_client_currency, wallets_by_id`);
  }
}
