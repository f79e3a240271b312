#!/usr/bin/env bash
# `npm run test:pgbouncer`: the money suites with the app's request connections going through a
# private PgBouncer in transaction pool mode (see README.md beside this file). Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v pgbouncer >/dev/null || { echo "pgbouncer is not installed (Debian: apt-get install pgbouncer)" >&2; exit 1; }

# The PostgreSQL the tests use (the same default as test/support/database.ts); PgBouncer forwards to it.
server_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
read -r pg_host pg_port pg_user pg_password < <(node -e '
  const u = new URL(process.argv[1]);
  console.log(u.hostname, u.port || 5432, decodeURIComponent(u.username) || "postgres", decodeURIComponent(u.password))' "$server_url")

# Everything PgBouncer owns lives here; it refuses to run as root, so as root it runs as postgres.
dir="$(mktemp -d -t ledgerline-pgbouncer.XXXXXX)"
port="${PGBOUNCER_PORT:-$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')}"

stop_pgbouncer() {
  local status=$?
  if [ -s "$dir/pgbouncer.pid" ]; then
    local pid
    pid="$(cat "$dir/pgbouncer.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ "$status" != 0 ] && [ -f "$dir/pgbouncer.log" ]; then
    echo "--- last lines of the PgBouncer log ($dir/pgbouncer.log):" >&2
    grep -v -e 'LOG C-' -e 'LOG S-' "$dir/pgbouncer.log" | tail -n 20 >&2 || true
  fi
  rm -rf "$dir"
  exit "$status"
}
trap stop_pgbouncer EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The auth_file must name every user even under auth_type = trust; its password is the one sent to the server.
echo "\"$pg_user\" \"${pg_password:-}\"" > "$dir/userlist.txt"
cat > "$dir/pgbouncer.ini" <<EOF
[databases]
; Every database (each test file clones its own ledgerline_test_*), under the name the client asked for.
* = host=$pg_host port=$pg_port

[pgbouncer]
pool_mode = transaction
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir = $dir
pidfile = $dir/pgbouncer.pid
logfile = $dir/pgbouncer.log
auth_type = trust
auth_file = $dir/userlist.txt
max_client_conn = 500
default_pool_size = 20
; No ignore_startup_parameters: node-postgres sends only user, database and application_name, which PgBouncer accepts.
EOF
if [ "$(id -u)" = 0 ]; then
  chown -R postgres "$dir"
  runuser -u postgres -- pgbouncer -d "$dir/pgbouncer.ini"
else
  pgbouncer -d "$dir/pgbouncer.ini"
fi
for attempt in $(seq 1 100); do
  pg_isready -q -h 127.0.0.1 -p "$port" -U "$pg_user" -d postgres && break
  if [ "$attempt" = 100 ]; then echo "PgBouncer did not accept connections on 127.0.0.1:$port" >&2; exit 1; fi
  sleep 0.1
done
echo "PgBouncer $(pgbouncer --version | head -n 1 | cut -d' ' -f2) on 127.0.0.1:$port (transaction pool mode) -> $pg_host:$pg_port"

export TEST_POOLER_URL="postgres://$pg_user@127.0.0.1:$port/"
suites=()
for name in orders transfers payouts wallets idempotency dialects cart webhooks round-trips duplicate-storm; do
  if [ -f "test/e2e/$name.e2e.spec.ts" ]; then suites+=("test/e2e/$name.e2e.spec.ts"); fi
done
npx jest --runInBand "${suites[@]}" "$@"
