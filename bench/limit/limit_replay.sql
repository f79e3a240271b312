-- Copied from ../shared/limit/limit_replay.sql (run by ../shared/limit/limit.sh): the limit the performance targets divide by.
-- A replay: one indexed read of a stored response
\set c random(0, 99)
SELECT status, request_hash, response_status, response_body FROM idem WHERE client_id = :c AND endpoint = 'POST /v1/orders' AND key = 'k' || :c;
