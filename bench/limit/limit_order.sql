-- Copied from ../shared/limit/limit_order.sql (run by ../shared/limit/limit.sh): the limit the performance targets divide by.
-- One first-time idempotent order, statement by statement (one round trip each), as a service would issue it
-- the same spread as the service scenario: 64 wallets
\set w random(1, 64)
\set amt random(100, 10000)
BEGIN;
INSERT INTO idem (client_id, endpoint, key, request_hash, status, expires_at) VALUES (:w % 100, 'POST /v1/orders', md5(random()::text || clock_timestamp()::text), sha256('x'::bytea), 'in_progress', now() + interval '24 hours') ON CONFLICT DO NOTHING RETURNING id \gset
UPDATE wallets SET balance = balance - :amt WHERE id = :w AND balance >= :amt RETURNING balance \gset
INSERT INTO orders (id, client_id, wallet_id, product_id, quantity, amount, status) VALUES (gen_random_uuid(), :w % 100, :w, 1, 1, :amt, 'COMPLETED') RETURNING id AS oid \gset
INSERT INTO ledger (wallet_id, amount, balance_after, ref) VALUES (:w, -(:amt)::bigint, :balance, :oid::uuid), (0, :amt, 0, :oid::uuid);
UPDATE idem SET status = 'completed', response_status = 201, response_body = '{"id":"x","status":"COMPLETED","amount":1000,"currency":"USD"}'::jsonb WHERE id = :id;
COMMIT;
