-- Copied from ../shared/limit/limit_schema.sql (run by ../shared/limit/limit.sh): the limit the performance targets divide by.
-- Stand-in schema for measuring the physical limit of one idempotent wallet-debiting order
DROP TABLE IF EXISTS idem, wallets, orders, ledger CASCADE;
CREATE TABLE wallets (id bigint PRIMARY KEY, client_id int NOT NULL, currency char(3) NOT NULL, balance bigint NOT NULL CHECK (balance >= 0));
CREATE TABLE idem (id bigserial PRIMARY KEY, client_id int NOT NULL, endpoint text NOT NULL, key text NOT NULL,
  request_hash bytea NOT NULL, status text NOT NULL, response_status int, response_body jsonb,
  created_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz NOT NULL, UNIQUE (client_id, endpoint, key));
CREATE TABLE orders (id uuid PRIMARY KEY, client_id int NOT NULL, wallet_id bigint NOT NULL, product_id int NOT NULL, quantity int NOT NULL, amount bigint NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE ledger (id bigserial PRIMARY KEY, wallet_id bigint NOT NULL, amount bigint NOT NULL, balance_after bigint NOT NULL, ref uuid NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON ledger (wallet_id, id);
INSERT INTO wallets SELECT g, g % 100, 'USD', 1000000000000 FROM generate_series(1, 10000) g;
