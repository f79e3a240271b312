import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Starship's client-portal cart (docs/dialects.md): one cart per client, in one currency, whose lines
 * are priced when they are added. `checkout_cart` orders every line in one call, under one key, all
 * or nothing, with the shared pieces of migration Operations.
 *
 * The cart row serialises a client's cart: adding, removing and checking out lock it first, so its
 * one currency, its size and its version hold, and a line is never both removed and ordered.
 */
export class Carts1764610100000 implements MigrationInterface {
  name = 'Carts1764610100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE carts (
        client_id uuid PRIMARY KEY,
        currency  text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        -- Moves on every change of the lines: a checkout may name the version its client last saw.
        version   bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`
      CREATE TABLE cart_items (
        client_id    uuid NOT NULL REFERENCES carts (client_id),
        id           uuid NOT NULL,
        product_id   integer NOT NULL,
        quantity     integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
        denomination bigint,
        amount       bigint NOT NULL CHECK (amount > 0 AND amount <= 9007199254740991),
        created_at   timestamptz NOT NULL,
        PRIMARY KEY (client_id, id)
      )`);
    await q.query(`
      CREATE TABLE checkouts (
        client_id  uuid NOT NULL,
        id         uuid NOT NULL,
        wallet_id  uuid NOT NULL,
        amount     bigint NOT NULL CHECK (amount > 0),
        currency   text NOT NULL,
        order_ids  uuid[] NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (client_id, id),
        FOREIGN KEY (client_id, wallet_id) REFERENCES wallets (client_id, id)
      )`);

    // A line, priced by the service. The first line sets the cart's currency; a line in another
    // currency is refused while the cart holds any.
    await q.query(`
      CREATE FUNCTION add_cart_item(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                    p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                                    p_item_id uuid, p_product_id integer, p_quantity integer, p_denomination bigint, p_amount bigint,
                                    p_currency text, p_max_lines integer, p_created_at timestamptz)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
        cart carts%ROWTYPE;
        lines integer;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;

        INSERT INTO carts (client_id, currency) VALUES (p_client_id, p_currency) ON CONFLICT (client_id) DO NOTHING;
        SELECT * INTO cart FROM carts WHERE client_id = p_client_id FOR UPDATE;
        SELECT count(*) INTO lines FROM cart_items WHERE client_id = p_client_id;
        IF lines > 0 AND cart.currency <> p_currency THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'CURRENCY_MISMATCH');
        ELSIF lines >= p_max_lines THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'CART_FULL');
        END IF;

        UPDATE carts SET currency = p_currency, version = version + 1 WHERE client_id = p_client_id;
        INSERT INTO cart_items (client_id, id, product_id, quantity, denomination, amount, created_at)
        VALUES (p_client_id, p_item_id, p_product_id, p_quantity, p_denomination, p_amount, p_created_at);
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status, p_body);
      END
      $$`);

    // Not a keyed write (a DELETE): true when the line was the client's and is gone.
    await q.query(`
      CREATE FUNCTION remove_cart_item(p_client_id uuid, p_item_id uuid) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM carts WHERE client_id = p_client_id FOR UPDATE;
        DELETE FROM cart_items WHERE client_id = p_client_id AND id = p_item_id;
        IF NOT FOUND THEN RETURN false; END IF;
        UPDATE carts SET version = version + 1 WHERE client_id = p_client_id;
        RETURN true;
      END
      $$`);

    // Every line becomes an order under its own id, paid by one guarded debit of the total from the
    // wallet (the named one, or the client's default in the cart's currency), each with its ledger
    // legs and its order.completed event; then the cart is emptied. Refusals come before any write,
    // so a refused checkout leaves the cart as it was. p_order_template is the service's rendering
    // of an order with each line's values as placeholders; the answer lists one filled copy per line.
    await q.query(`
      CREATE FUNCTION checkout_cart(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                    p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                                    p_checkout_id uuid, p_wallet_id uuid, p_cart_version bigint, p_order_template text, p_created_at timestamptz)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
        cart carts%ROWTYPE;
        total bigint;
        wallet_id uuid;
        balance bigint;
        line cart_items%ROWTYPE;
        placed text;
        placed_orders text[] := '{}';
        order_ids uuid[] := '{}';
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;

        SELECT * INTO cart FROM carts WHERE client_id = p_client_id FOR UPDATE;
        SELECT sum(amount) INTO total FROM cart_items WHERE client_id = p_client_id;
        IF total IS NULL THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'CART_EMPTY');
        ELSIF p_cart_version IS NOT NULL AND cart.version <> p_cart_version THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'CART_CHANGED');
        END IF;

        wallet_id := coalesce(p_wallet_id, default_wallet(p_client_id, cart.currency));
        UPDATE wallets SET balance = wallets.balance - total
        WHERE client_id = p_client_id AND id = wallet_id AND currency = cart.currency AND wallets.balance >= total
        RETURNING wallets.balance + total INTO balance;
        IF NOT FOUND THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, debit_refusal(p_client_id, wallet_id, cart.currency));
        END IF;

        FOR line IN SELECT * FROM cart_items WHERE client_id = p_client_id ORDER BY id LOOP
          balance := balance - line.amount;
          INSERT INTO orders (client_id, id, client_order_id, status, wallet_id, product_id, quantity, denomination, receiver,
                              amount, currency, metadata, duration_hours, created_at)
          VALUES (p_client_id, line.id, NULL, 'COMPLETED', wallet_id, line.product_id, line.quantity, line.denomination,
                  NULL, line.amount, cart.currency, NULL, NULL, p_created_at);
          PERFORM ledger_post(p_client_id, cart.currency, 'ORDER', line.id,
            wallet_leg(wallet_id, 'ORDER', -line.amount, balance),
            system_leg('REVENUE', 'ORDER', line.amount));
          placed := fill_decided(p_order_template, jsonb_build_object(
            'id', line.id, 'wallet_id', wallet_id, 'product_id', line.product_id, 'quantity', line.quantity,
            'denomination', line.denomination, 'amount', line.amount, 'currency', cart.currency));
          PERFORM outbox_emit(p_client_id, 'order.completed', placed);
          placed_orders := placed_orders || placed;
          order_ids := order_ids || line.id;
        END LOOP;

        DELETE FROM cart_items WHERE client_id = p_client_id;
        UPDATE carts SET version = version + 1 WHERE client_id = p_client_id;
        INSERT INTO checkouts (client_id, id, wallet_id, amount, currency, order_ids, created_at)
        VALUES (p_client_id, p_checkout_id, wallet_id, total, cart.currency, order_ids, p_created_at);
        -- The orders go in as the text they are: fill_decided would re-encode them as jsonb, reordering their keys.
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status,
          replace(fill_decided(p_body, jsonb_build_object('amount', total, 'currency', cart.currency)),
                  '"\\u0000orders"', '[' || array_to_string(placed_orders, ',') || ']'));
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION checkout_cart`);
    await q.query(`DROP FUNCTION remove_cart_item`);
    await q.query(`DROP FUNCTION add_cart_item`);
    await q.query(`DROP TABLE checkouts, cart_items, carts`);
  }
}
