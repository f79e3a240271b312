import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every keyed write is one call of one PL/pgSQL function (docs/idempotency.md): it claims the key,
 * makes the effect, writes the ledger legs and the outbox rows, records the answer and says which
 * outcome happened, in one round trip and one transaction. PL/pgSQL caches each statement's plan per
 * server connection, so nothing is re-planned per call and no named prepared statement is needed
 * (PgBouncer in transaction mode works).
 *
 * The shared pieces come first: the outcome type, the claim, the record, refusals, lock timeouts,
 * filling database-decided values into a prepared answer, ledger legs, the outbox. Then one function
 * per operation.
 */
export class Operations1763892000000 implements MigrationInterface {
  name = 'Operations1763892000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION effect_refused()`);
    // Every answer is JSON; the content type is not worth a column.
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN response_headers`);

    // What an operation answers. outcome: executed | refused | replayed | reused | unauthenticated
    // (a signature used for another request) (and claimed, between the claim and the effect, never
    // returned to the caller; in_use and busy are the service's reading of a lock timeout).
    await q.query(`
      CREATE TYPE operation_outcome AS (
        outcome     text,
        refusal     text,        -- refused: which refusal (a key of the call's p_refusals)
        status      smallint,    -- executed, refused, replayed: the recorded answer
        body        text,
        created_at  timestamptz, -- when the key was claimed
        lifetime_ms float8       -- replayed: how long the record has left to live
      )`);

    await q.query(`
      CREATE FUNCTION outcome_of(p_outcome text, p_created_at timestamptz DEFAULT NULL, p_status smallint DEFAULT NULL,
                                 p_body text DEFAULT NULL, p_refusal text DEFAULT NULL, p_lifetime_ms float8 DEFAULT NULL)
      RETURNS operation_outcome LANGUAGE sql IMMUTABLE AS $$
        SELECT ROW(p_outcome, p_refusal, p_status, p_body, p_created_at, p_lifetime_ms)::operation_outcome
      $$`);

    // Claims (client, endpoint, key), or answers from the record that holds it. A duplicate in flight
    // is waited on at the unique index, at most p_lock_wait_ms (lock_timeout, local to this
    // transaction, bounds every later lock wait of the call too: a wallet row's). A wait that passes
    // it fails the whole call, which undoes it; the caller tells a busy key from a busy wallet by the
    // error's context, which names this function only for the key (no EXCEPTION block: it would make
    // every call a subtransaction). Each statement of a PL/pgSQL function sees what committed before
    // it began, so a record committed while the insert waited is read by the next statement. A NULL
    // key (an optional key left out) claims nothing.
    await q.query(`
      CREATE FUNCTION idempotency_claim(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea,
                                        p_ttl_seconds integer, p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        held idempotency_keys%ROWTYPE;
        claimed_at timestamptz;
      BEGIN
        PERFORM set_config('lock_timeout', p_lock_wait_ms || 'ms', true);
        -- A signed request: its signature must not have signed another request (migration SignaturesSeen).
        IF p_signature IS NOT NULL AND NOT signature_first_use(p_client_id, p_signature, p_signed_request) THEN
          RETURN outcome_of('unauthenticated');
        END IF;
        IF p_key IS NULL THEN
          RETURN outcome_of('claimed', now());
        END IF;
        -- A key can be swept, or renewed by another request, between two statements: a few rounds settle it.
        FOR round IN 1..3 LOOP
          INSERT INTO idempotency_keys (client_id, endpoint, key, request_hash, expires_at)
          VALUES (p_client_id, p_endpoint, p_key, p_request_hash, now() + make_interval(secs => p_ttl_seconds))
          ON CONFLICT (client_id, endpoint, key) DO NOTHING
          RETURNING created_at INTO claimed_at;
          IF FOUND THEN
            RETURN outcome_of('claimed', claimed_at);
          END IF;

          SELECT * INTO held FROM idempotency_keys WHERE client_id = p_client_id AND endpoint = p_endpoint AND key = p_key;
          CONTINUE WHEN NOT FOUND;
          IF held.expires_at <= now() THEN
            -- An expired key counts as new: the first request to lock it starts over in its place.
            UPDATE idempotency_keys
            SET request_hash = p_request_hash, created_at = now(), expires_at = now() + make_interval(secs => p_ttl_seconds),
                response_status = NULL, response_body = NULL, completed_at = NULL
            WHERE client_id = p_client_id AND endpoint = p_endpoint AND key = p_key AND expires_at <= now()
            RETURNING created_at INTO claimed_at;
            IF FOUND THEN
              RETURN outcome_of('claimed', claimed_at);
            END IF;
            CONTINUE;
          END IF;
          IF held.request_hash <> p_request_hash THEN
            RETURN outcome_of('reused', held.created_at);
          END IF;
          RETURN outcome_of('replayed', held.created_at, held.response_status, held.response_body,
                            p_lifetime_ms => EXTRACT(EPOCH FROM held.expires_at - now())::float8 * 1000);
        END LOOP;
        RETURN outcome_of('in_use');
      END
      $$`);

    // Records the answer under the claim; it commits with the effect or not at all.
    await q.query(`
      CREATE FUNCTION idempotency_record(p_claim operation_outcome, p_client_id uuid, p_endpoint text, p_key text,
                                         p_outcome text, p_refusal text, p_status smallint, p_body text)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      BEGIN
        IF p_key IS NOT NULL THEN
          UPDATE idempotency_keys SET response_status = p_status, response_body = p_body, completed_at = now()
          WHERE client_id = p_client_id AND endpoint = p_endpoint AND key = p_key;
        END IF;
        RETURN outcome_of(p_outcome, p_claim.created_at, p_status, p_body, p_refusal);
      END
      $$`);

    // Records one of the refusals the caller prepared ({"NAME": {"status": 422, "body": "..."}}, as
    // text: parsed only when a refusal is chosen).
    await q.query(`
      CREATE FUNCTION idempotency_refuse(p_claim operation_outcome, p_client_id uuid, p_endpoint text, p_key text,
                                         p_refusals text, p_refusal text)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        answer jsonb := p_refusals::jsonb -> p_refusal;
      BEGIN
        IF answer IS NULL THEN
          RAISE EXCEPTION 'no answer was prepared for refusal %', p_refusal;
        END IF;
        RETURN idempotency_record(p_claim, p_client_id, p_endpoint, p_key, 'refused', p_refusal,
                                  (answer ->> 'status')::smallint, answer ->> 'body');
      END
      $$`);

    // The service prepares each answer with a placeholder, "\\u0000name" (a JSON string holding NUL and
    // the name), where only the database knows the value (a default wallet, a balance after); this
    // puts the JSON values of p_values in their place. Requests may not carry NUL, so no client text
    // can look like one.
    await q.query(`
      CREATE FUNCTION fill_decided(p_template text, p_values jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
      DECLARE
        filled text := p_template;
        name text;
        value jsonb;
      BEGIN
        IF strpos(p_template, '"\\u0000') = 0 THEN
          RETURN p_template;
        END IF;
        FOR name, value IN SELECT * FROM jsonb_each(p_values) LOOP
          filled := replace(filled, '"\\u0000' || name || '"', value::text);
        END LOOP;
        RETURN filled;
      END
      $$`);

    // One leg of a movement: on a client wallet, with the balance it left and its owner when that is
    // not the movement's client (a transfer to another client), or on a system account.
    await q.query(`
      CREATE TYPE ledger_leg AS (wallet_client_id uuid, wallet_id uuid, system_account text, type text, amount bigint, balance_after bigint)`);
    await q.query(`
      CREATE FUNCTION wallet_leg(p_wallet_id uuid, p_type text, p_amount bigint, p_balance_after bigint, p_owner uuid DEFAULT NULL)
      RETURNS ledger_leg LANGUAGE sql IMMUTABLE AS $$ SELECT ROW(p_owner, p_wallet_id, NULL, p_type, p_amount, p_balance_after)::ledger_leg $$`);
    await q.query(`
      CREATE FUNCTION system_leg(p_account text, p_type text, p_amount bigint)
      RETURNS ledger_leg LANGUAGE sql IMMUTABLE AS $$ SELECT ROW(NULL, NULL, p_account, p_type, p_amount, NULL)::ledger_leg $$`);

    // The one way ledger entries are written: a set of legs that sums to zero, or nothing.
    await q.query(`
      CREATE FUNCTION ledger_post(p_client_id uuid, p_currency text, p_reference_type text, p_reference_id uuid, VARIADIC p_legs ledger_leg[])
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        one ledger_leg;
        total bigint := 0;
      BEGIN
        FOREACH one IN ARRAY p_legs LOOP
          total := total + one.amount;
        END LOOP;
        IF total <> 0 THEN
          RAISE EXCEPTION 'unbalanced movement % %', p_reference_type, p_reference_id USING ERRCODE = 'LL002';
        END IF;
        INSERT INTO ledger_entries (client_id, wallet_id, system_account, currency, type, amount, balance_after, reference_type, reference_id)
        SELECT coalesce(leg.wallet_client_id, p_client_id), leg.wallet_id, leg.system_account, p_currency, leg.type, leg.amount,
               leg.balance_after, p_reference_type, p_reference_id
        FROM unnest(p_legs) leg;
      END
      $$`);

    // Enqueues a pg-boss (10.x) job as pg-boss's own send() does (its plans.js insertJob), with the
    // queue's options; in the caller's transaction, so the job exists if and only if the effect does.
    // A missing queue is a bug, not a job to drop silently.
    await q.query(`
      CREATE FUNCTION job_enqueue(p_queue text, p_data jsonb, p_start_after timestamptz)
      RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO pgboss.job (id, name, data, priority, start_after, dead_letter, expire_in, keep_until,
                                retry_limit, retry_delay, retry_backoff, policy)
        SELECT gen_random_uuid(), q.name, p_data, 0, p_start_after, q.dead_letter,
               coalesce(q.expire_seconds * interval '1s', interval '15 minutes'),
               p_start_after + coalesce(q.retention_minutes * interval '1 minute', interval '14 days'),
               coalesce(q.retry_limit, 2),
               CASE WHEN coalesce(q.retry_backoff, false) THEN greatest(coalesce(q.retry_delay, 1), 1) ELSE coalesce(q.retry_delay, 0) END,
               coalesce(q.retry_backoff, false), q.policy
        FROM pgboss.queue q WHERE q.name = p_queue;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'job queue % does not exist', p_queue;
        END IF;
      END
      $$`);

    // The outbox: the event and one delivery job per endpoint of the client subscribed to it.
    // Nothing is written, and the event is not even rendered, when nobody subscribes.
    await q.query(`
      CREATE FUNCTION outbox_emit(p_client_id uuid, p_type text, p_template text, p_decided jsonb DEFAULT '{}')
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        event_id uuid;
        endpoint_id uuid;
      BEGIN
        FOR endpoint_id IN SELECT id FROM webhook_endpoints WHERE client_id = p_client_id AND p_type = ANY (events) LOOP
          IF event_id IS NULL THEN
            event_id := gen_random_uuid();
            INSERT INTO webhook_events (client_id, id, type, data)
            VALUES (p_client_id, event_id, p_type, fill_decided(p_template, p_decided)::jsonb);
          END IF;
          PERFORM job_enqueue('webhook-delivery', jsonb_build_object('clientId', p_client_id, 'endpointId', endpoint_id, 'eventId', event_id), now());
        END LOOP;
      END
      $$`);

    // Why a guarded debit found nothing to take.
    await q.query(`
      CREATE FUNCTION debit_refusal(p_client_id uuid, p_wallet_id uuid, p_currency text) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT coalesce(
          (SELECT CASE WHEN p_currency IS NOT NULL AND currency <> p_currency THEN 'CURRENCY_MISMATCH' ELSE 'INSUFFICIENT_FUNDS' END
           FROM wallets WHERE client_id = p_client_id AND id = p_wallet_id),
          'WALLET_NOT_FOUND')
      $$`);

    // The wallet a dialect means when it names none: the client's oldest in the currency.
    await q.query(`
      CREATE FUNCTION default_wallet(p_client_id uuid, p_currency text) RETURNS uuid LANGUAGE sql STABLE AS $$
        SELECT id FROM wallets WHERE client_id = p_client_id AND currency = p_currency ORDER BY id LIMIT 1
      $$`);

    // An answer the service decided before any effect (an unknown product, a bad denomination):
    // recorded under the key like any other outcome.
    await q.query(`
      CREATE FUNCTION record_refusal(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                     p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'refused', NULL, p_status, p_body);
      END
      $$`);

    await q.query(`
      CREATE FUNCTION create_wallet(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                    p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                                    p_wallet_id uuid, p_currency text, p_external_id text, p_metadata jsonb,
                                    p_accepts_external_transfers boolean, p_created_at timestamptz)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;
        INSERT INTO wallets (client_id, id, currency, balance, external_id, metadata, accepts_external_transfers, created_at)
        VALUES (p_client_id, p_wallet_id, p_currency, 0, p_external_id, p_metadata, p_accepts_external_transfers, p_created_at);
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status, p_body);
      END
      $$`);

    // Changes what its owner may change of a wallet (p_changes holds only the fields the request
    // named; a JSON null clears one). The answer is the wallet as it then is, all filled in here.
    await q.query(`
      CREATE FUNCTION update_wallet(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                    p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                                    p_wallet_id uuid, p_changes jsonb)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
        changed wallets%ROWTYPE;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;

        UPDATE wallets SET
          external_id = CASE WHEN p_changes ? 'external_id' THEN p_changes ->> 'external_id' ELSE external_id END,
          metadata = CASE WHEN p_changes ? 'metadata' THEN nullif(p_changes -> 'metadata', 'null'::jsonb) ELSE metadata END,
          accepts_external_transfers = CASE WHEN p_changes ? 'accepts_external_transfers'
                                            THEN (p_changes ->> 'accepts_external_transfers')::boolean ELSE accepts_external_transfers END
        WHERE client_id = p_client_id AND id = p_wallet_id
        RETURNING * INTO changed;
        IF NOT FOUND THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'WALLET_NOT_FOUND');
        END IF;
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status, fill_decided(p_body, jsonb_build_object(
          'currency', changed.currency, 'balance', changed.balance, 'external_id', changed.external_id, 'metadata', changed.metadata,
          'accepts_external_transfers', changed.accepts_external_transfers,
          'created_at', to_char(changed.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))));
      END
      $$`);

    // FUNDING to a wallet, unless the balance would pass 2^53-1: a client's sandbox deposit into its own
    // wallet (p_wallet_owner = the caller), or the operator's credit into any client's wallet
    // (p_wallet_owner NULL; the claim is then the operator's). The movement is the owner's either way.
    await q.query(`
      CREATE FUNCTION deposit(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                              p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                              p_deposit_id uuid, p_wallet_id uuid, p_wallet_owner uuid, p_amount bigint, p_reference text,
                              p_created_at timestamptz, p_event text DEFAULT NULL)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
        credited record;
        decided jsonb;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;

        UPDATE wallets SET balance = balance + p_amount
        WHERE id = p_wallet_id AND (p_wallet_owner IS NULL OR client_id = p_wallet_owner) AND balance <= 9007199254740991 - p_amount
        RETURNING client_id, balance, currency INTO credited;
        IF NOT FOUND THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals,
            CASE WHEN EXISTS (SELECT 1 FROM wallets WHERE id = p_wallet_id AND (p_wallet_owner IS NULL OR client_id = p_wallet_owner))
                 THEN 'BALANCE_LIMIT_EXCEEDED' ELSE 'WALLET_NOT_FOUND' END);
        END IF;

        INSERT INTO deposits (client_id, id, wallet_id, amount, currency, reference, created_at)
        VALUES (credited.client_id, p_deposit_id, p_wallet_id, p_amount, credited.currency, p_reference, p_created_at);
        PERFORM ledger_post(credited.client_id, credited.currency, 'DEPOSIT', p_deposit_id,
          wallet_leg(p_wallet_id, 'DEPOSIT', p_amount, credited.balance),
          system_leg('FUNDING', 'DEPOSIT', -p_amount));
        decided := jsonb_build_object('currency', credited.currency, 'balance_after', credited.balance);
        PERFORM outbox_emit(credited.client_id, 'deposit.completed', coalesce(p_event, p_body), decided);
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status, fill_decided(p_body, decided));
      END
      $$`);

    // An order: the wallet (the named one, or the client's default in the product's currency) into
    // REVENUE. The service priced it; the guarded debit decides whether it happens.
    await q.query(`
      CREATE FUNCTION place_order(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                  p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                                  p_order_id uuid, p_client_order_id text, p_wallet_id uuid, p_product_id integer, p_quantity integer,
                                  p_denomination bigint, p_receiver text, p_amount bigint, p_currency text, p_metadata jsonb,
                                  p_duration_hours integer, p_created_at timestamptz, p_event text DEFAULT NULL)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
        wallet_id uuid;
        balance_after bigint;
        decided jsonb;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;

        wallet_id := coalesce(p_wallet_id, default_wallet(p_client_id, p_currency));
        UPDATE wallets SET balance = balance - p_amount
        WHERE client_id = p_client_id AND id = wallet_id AND currency = p_currency AND balance >= p_amount
        RETURNING balance INTO balance_after;
        IF NOT FOUND THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, debit_refusal(p_client_id, wallet_id, p_currency));
        END IF;

        INSERT INTO orders (client_id, id, client_order_id, status, wallet_id, product_id, quantity, denomination, receiver,
                            amount, currency, metadata, duration_hours, created_at)
        VALUES (p_client_id, p_order_id, p_client_order_id, 'COMPLETED', wallet_id, p_product_id, p_quantity, p_denomination,
                p_receiver, p_amount, p_currency, p_metadata, p_duration_hours, p_created_at);
        PERFORM ledger_post(p_client_id, p_currency, 'ORDER', p_order_id,
          wallet_leg(wallet_id, 'ORDER', -p_amount, balance_after),
          system_leg('REVENUE', 'ORDER', p_amount));
        decided := jsonb_build_object('wallet_id', wallet_id);
        PERFORM outbox_emit(p_client_id, 'order.completed', coalesce(p_event, p_body), decided);
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status, fill_decided(p_body, decided));
      END
      $$`);

    // Between two wallets of one currency. Both rows are locked in id order, so two opposite
    // transfers never deadlock. The source must be the caller's; the destination the caller's, or
    // another client's that accepts external transfers: any other is not even locked, and answers
    // as an unknown wallet would, whatever its currency and balance. Into another client's wallet,
    // room is kept for the refunds of its pending payouts, so no client can block another's refund.
    await q.query(`
      CREATE FUNCTION transfer(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                               p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                               p_transfer_id uuid, p_from_wallet_id uuid, p_to_wallet_id uuid, p_amount bigint,
                               p_description text, p_created_at timestamptz, p_event text DEFAULT NULL)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
        locked record;
        source record;
        destination record;
        refunds_owed bigint := 0;
        decided jsonb;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;

        FOR locked IN
          SELECT client_id, id, currency, balance FROM wallets
          WHERE (client_id = p_client_id AND id IN (p_from_wallet_id, p_to_wallet_id))
             OR (id = p_to_wallet_id AND accepts_external_transfers)
          ORDER BY id FOR UPDATE
        LOOP
          IF locked.id = p_from_wallet_id AND locked.client_id = p_client_id THEN source := locked; END IF;
          IF locked.id = p_to_wallet_id THEN destination := locked; END IF;
        END LOOP;
        IF source IS NULL THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'SOURCE_NOT_FOUND');
        ELSIF destination IS NULL THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'DESTINATION_NOT_FOUND');
        ELSIF source.currency <> destination.currency THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'CURRENCY_MISMATCH');
        ELSIF source.balance < p_amount THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'INSUFFICIENT_FUNDS');
        END IF;
        IF destination.client_id <> p_client_id THEN
          SELECT coalesce(sum(amount), 0) INTO refunds_owed FROM payouts
          WHERE client_id = destination.client_id AND wallet_id = p_to_wallet_id AND status = 'PENDING';
        END IF;
        IF destination.balance > 9007199254740991 - p_amount - refunds_owed THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, 'BALANCE_LIMIT_EXCEEDED');
        END IF;

        UPDATE wallets SET balance = balance - p_amount WHERE client_id = p_client_id AND id = p_from_wallet_id;
        UPDATE wallets SET balance = balance + p_amount WHERE client_id = destination.client_id AND id = p_to_wallet_id;
        INSERT INTO transfers (client_id, id, status, from_wallet_id, to_client_id, to_wallet_id, amount, currency, description, created_at)
        VALUES (p_client_id, p_transfer_id, 'COMPLETED', p_from_wallet_id, destination.client_id, p_to_wallet_id, p_amount,
                source.currency, p_description, p_created_at);
        PERFORM ledger_post(p_client_id, source.currency, 'TRANSFER', p_transfer_id,
          wallet_leg(p_from_wallet_id, 'TRANSFER_OUT', -p_amount, source.balance - p_amount),
          wallet_leg(p_to_wallet_id, 'TRANSFER_IN', p_amount, destination.balance + p_amount, destination.client_id));
        decided := jsonb_build_object('currency', source.currency);
        -- The sender's event: the transfer is the sender's resource.
        PERFORM outbox_emit(p_client_id, 'transfer.completed', coalesce(p_event, p_body), decided);
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status, fill_decided(p_body, decided));
      END
      $$`);

    // A payout: debited at once into PAYOUT_CLEARING (PENDING), its settlement job enqueued with it.
    // p_currency is NULL when the wallet's own currency is meant (the main API names a wallet only).
    await q.query(`
      CREATE FUNCTION create_payout(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                    p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                                    p_payout_id uuid, p_wallet_id uuid, p_currency text, p_amount bigint, p_destination jsonb,
                                    p_metadata jsonb, p_created_at timestamptz, p_settle_at timestamptz)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
        wallet_id uuid;
        debited record;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;

        wallet_id := coalesce(p_wallet_id, default_wallet(p_client_id, p_currency));
        UPDATE wallets SET balance = balance - p_amount
        WHERE client_id = p_client_id AND id = wallet_id AND (p_currency IS NULL OR currency = p_currency) AND balance >= p_amount
        RETURNING balance, currency INTO debited;
        IF NOT FOUND THEN
          RETURN idempotency_refuse(claim, p_client_id, p_endpoint, p_key, p_refusals, debit_refusal(p_client_id, wallet_id, p_currency));
        END IF;

        INSERT INTO payouts (client_id, id, status, wallet_id, amount, currency, destination, metadata, created_at, updated_at)
        VALUES (p_client_id, p_payout_id, 'PENDING', wallet_id, p_amount, debited.currency, p_destination, p_metadata, p_created_at, p_created_at);
        PERFORM ledger_post(p_client_id, debited.currency, 'PAYOUT', p_payout_id,
          wallet_leg(wallet_id, 'PAYOUT', -p_amount, debited.balance),
          system_leg('PAYOUT_CLEARING', 'PAYOUT', p_amount));
        PERFORM job_enqueue('payout-settlement', jsonb_build_object('clientId', p_client_id, 'payoutId', p_payout_id), p_settle_at);
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status,
                                  fill_decided(p_body, jsonb_build_object('wallet_id', wallet_id, 'currency', debited.currency)));
      END
      $$`);

    // The worker's half of a payout, once its rail answered: PENDING moves to the outcome only once,
    // with its ledger legs (and the refund, on failure) and its event. Answers what happened:
    // COMPLETED, FAILED, or ALREADY_SETTLED (another run got there first; nothing written).
    await q.query(`
      CREATE FUNCTION settle_payout(p_client_id uuid, p_payout_id uuid, p_outcome text, p_failure_reason text,
                                    p_updated_at timestamptz, p_event text)
      RETURNS text LANGUAGE plpgsql AS $$
      DECLARE
        payout payouts%ROWTYPE;
        refunded_balance bigint;
      BEGIN
        UPDATE payouts SET status = p_outcome, failure_reason = p_failure_reason, updated_at = p_updated_at
        WHERE client_id = p_client_id AND id = p_payout_id AND status = 'PENDING'
        RETURNING * INTO payout;
        IF NOT FOUND THEN RETURN 'ALREADY_SETTLED'; END IF;

        IF p_outcome = 'COMPLETED' THEN
          PERFORM ledger_post(p_client_id, payout.currency, 'PAYOUT', p_payout_id,
            system_leg('PAYOUT_CLEARING', 'PAYOUT_SETTLED', -payout.amount),
            system_leg('PAYOUTS_SETTLED', 'PAYOUT_SETTLED', payout.amount));
        ELSE
          UPDATE wallets SET balance = balance + payout.amount
          WHERE client_id = p_client_id AND id = payout.wallet_id AND balance <= 9007199254740991 - payout.amount
          RETURNING balance INTO refunded_balance;
          IF NOT FOUND THEN
            -- Deposits filled the wallet meanwhile: the job fails and is retried (docs/decisions.md).
            RAISE EXCEPTION 'refund of payout % would pass the balance limit', p_payout_id USING ERRCODE = 'LL003';
          END IF;
          PERFORM ledger_post(p_client_id, payout.currency, 'PAYOUT', p_payout_id,
            system_leg('PAYOUT_CLEARING', 'PAYOUT_REFUND', -payout.amount),
            wallet_leg(payout.wallet_id, 'PAYOUT_REFUND', payout.amount, refunded_balance));
        END IF;
        PERFORM outbox_emit(p_client_id, CASE WHEN p_outcome = 'COMPLETED' THEN 'payout.completed' ELSE 'payout.failed' END, p_event);
        RETURN p_outcome;
      END
      $$`);

    await q.query(`
      CREATE FUNCTION register_webhook(p_client_id uuid, p_endpoint text, p_key text, p_request_hash bytea, p_ttl_seconds integer,
                                       p_lock_wait_ms integer, p_signature bytea, p_signed_request bytea, p_status smallint, p_body text, p_refusals text,
                                       p_webhook_id uuid, p_url text, p_events text[], p_secret_sealed bytea, p_created_at timestamptz)
      RETURNS operation_outcome LANGUAGE plpgsql AS $$
      DECLARE
        claim operation_outcome;
      BEGIN
        claim := idempotency_claim(p_client_id, p_endpoint, p_key, p_request_hash, p_ttl_seconds, p_lock_wait_ms, p_signature, p_signed_request);
        IF claim.outcome <> 'claimed' THEN RETURN claim; END IF;
        INSERT INTO webhook_endpoints (client_id, id, url, events, secret_sealed, created_at)
        VALUES (p_client_id, p_webhook_id, p_url, p_events, p_secret_sealed, p_created_at);
        RETURN idempotency_record(claim, p_client_id, p_endpoint, p_key, 'executed', NULL, p_status, p_body);
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const fn of [
      'register_webhook', 'update_wallet', 'settle_payout', 'create_payout', 'transfer', 'place_order', 'deposit', 'create_wallet', 'record_refusal',
      'default_wallet', 'debit_refusal', 'outbox_emit', 'job_enqueue', 'ledger_post', 'system_leg', 'wallet_leg', 'fill_decided',
      'idempotency_refuse', 'idempotency_record', 'idempotency_claim', 'outcome_of',
    ]) {
      await q.query(`DROP FUNCTION ${fn}`);
    }
    await q.query(`DROP TYPE ledger_leg, operation_outcome`);
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN response_headers jsonb`);
    await q.query(`
      CREATE FUNCTION effect_refused() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        RAISE EXCEPTION 'the effect was refused; the statement is undone' USING ERRCODE = 'LL001';
      END
      $$`);
  }
}
