#!/usr/bin/env bash
# `npm run test:ha`: a two-node Patroni cluster (etcd, PostgreSQL 15 with synchronous or asynchronous
# replication), HAProxy routing to the leader and PgBouncer in transaction mode, all started here as
# private processes under one temp folder, then test/ha/failover.ha.ts against two service instances
# while the leader's postmaster is SIGKILLed (see README.md beside this file). Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/../.."

pg_bin=/usr/lib/postgresql/15/bin

# Debian's packages, installed when missing (as .ci/run does); their own services are not wanted.
missing=()
command -v patroni >/dev/null || missing+=(patroni)
command -v etcd >/dev/null || missing+=(etcd-server)
command -v haproxy >/dev/null || missing+=(haproxy)
command -v pgbouncer >/dev/null || missing+=(pgbouncer)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "missing: ${missing[*]} (Debian: apt-get install ${missing[*]})" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  for service in etcd haproxy pgbouncer patroni; do
    if service "$service" status >/dev/null 2>&1; then service "$service" stop; fi
  done
fi
[ -x "$pg_bin/postgres" ] || { echo "PostgreSQL 15 server binaries not found in $pg_bin" >&2; exit 1; }

dir="$(mktemp -d -t ledgerline-ha.XXXXXX)"
chmod 755 "$dir"
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
etcd_port=$(free_port) etcd_peer_port=$(free_port)
haproxy_port=$(free_port) pgbouncer_port=$(free_port)
nodes=(node1 node2)
declare -A rest_port pg_port
for node in "${nodes[@]}"; do rest_port[$node]=$(free_port); pg_port[$node]=$(free_port); done

# PostgreSQL, Patroni and PgBouncer refuse root: as root they run as postgres, which owns their folders.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
# Starts a long-running command in the background with its own pid file (the pid of the program, not of runuser).
start_owned() {
  local pidfile=$1 log=$2
  shift 2
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
  as_owner sh -c 'echo $$ > "$0"; shift; exec "$@"' "$pidfile" _ "$@" >"$log" 2>&1 &
  for _ in $(seq 1 50); do [ -s "$pidfile" ] && return 0; sleep 0.1; done
  echo "no pid file $pidfile" >&2
  return 1
}
# SIGTERM, then SIGKILL after graceSeconds: nothing started here survives the script.
stop_pidfile() {
  local pidfile=$1 grace=$2 pid
  [ -s "$pidfile" ] || return 0
  pid="$(head -n 1 "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 $((grace * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

teardown() {
  local status=$?
  trap - EXIT INT TERM
  # Jest and whatever it left running (its service processes), before the cluster they talk to.
  if [ -n "${jest_pid:-}" ]; then kill -TERM -- "-$jest_pid" 2>/dev/null || true; fi
  # Patroni stops its PostgreSQL when it stops; the nodes stop together (one by one, the last would take over).
  # A postmaster left behind (its Patroni killed) is stopped by pid.
  local stoppers=()
  for node in "${nodes[@]}"; do stop_pidfile "$dir/$node/patroni.pid" 30 & stoppers+=($!); done
  wait "${stoppers[@]}"
  # A postmaster.pid left by a SIGKILLed postmaster names a dead pid, which the kernel may have given to
  # another process since (pid_max is 32768 here): only a postgres process is stopped by it.
  for node in "${nodes[@]}"; do
    local pidfile="$dir/$node/data/postmaster.pid"
    if [ -s "$pidfile" ] && grep -qa postgres "/proc/$(head -n 1 "$pidfile")/cmdline" 2>/dev/null; then stop_pidfile "$pidfile" 10; fi
  done
  stop_pidfile "$dir/pgbouncer/pgbouncer.pid" 10
  stop_pidfile "$dir/haproxy/haproxy.pid" 10
  stop_pidfile "$dir/etcd/etcd.pid" 10
  if [ "$status" != 0 ]; then
    for log in "$dir"/*/patroni.log "$dir"/etcd/etcd.log "$dir"/haproxy/haproxy.log; do
      [ -f "$log" ] || continue
      echo "--- last lines of $log:" >&2
      tail -n 15 "$log" >&2 || true
    done
  fi
  rm -rf "$dir"
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Polls a condition (a command) every 0.2 s for at most `seconds`.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq 1 $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "timed out after ${seconds}s waiting for $what" >&2
  return 1
}

# One etcd member: Patroni's distributed configuration store (the leader key, the /sync key, the dynamic config).
mkdir -p "$dir/etcd"
start_owned "$dir/etcd/etcd.pid" "$dir/etcd/etcd.log" etcd --name ha --data-dir "$dir/etcd/data" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster "ha=http://127.0.0.1:$etcd_peer_port" --initial-cluster-state new
wait_for "etcd" 30 curl -sf "http://127.0.0.1:$etcd_port/health"

# Two Patroni nodes. The dynamic settings (bootstrap.dcs) are the cluster's; the test switches
# synchronous_mode through Patroni's REST API. primary_start_timeout 0: a crashed primary fails over
# instead of being restarted in place; use_pg_rewind (with wal_log_hints) lets the old primary rejoin.
for node in "${nodes[@]}"; do
  mkdir -p "$dir/$node"
  cat > "$dir/$node/patroni.yml" <<EOF
scope: ledgerline-ha
name: $node
log:
  level: INFO
restapi:
  listen: 127.0.0.1:${rest_port[$node]}
  connect_address: 127.0.0.1:${rest_port[$node]}
etcd3:
  hosts: 127.0.0.1:$etcd_port
bootstrap:
  dcs:
    ttl: 20
    loop_wait: 1
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    primary_start_timeout: 0
    synchronous_mode: false
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: 'on'
        wal_log_hints: 'on'
        max_connections: 100
        max_wal_senders: 5
        checkpoint_timeout: 30s
        max_replication_slots: 5
        wal_keep_size: 256MB
  initdb:
    - encoding: UTF8
    - data-checksums
    - auth: trust
postgresql:
  listen: 127.0.0.1:${pg_port[$node]}
  connect_address: 127.0.0.1:${pg_port[$node]}
  data_dir: $dir/$node/data
  bin_dir: $pg_bin
  pgpass: $dir/$node/pgpass
  authentication:
    superuser:
      username: postgres
    replication:
      username: replicator
    rewind:
      username: postgres
  parameters:
    unix_socket_directories: '$dir/$node'
    shared_buffers: 64MB
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
EOF
done
patroni_version="$(patroni --version | cut -d' ' -f2)"
start_owned "$dir/node1/patroni.pid" "$dir/node1/patroni.log" patroni "$dir/node1/patroni.yml"
wait_for "node1 to lead" 90 curl -sf "http://127.0.0.1:${rest_port[node1]}/primary"
start_owned "$dir/node2/patroni.pid" "$dir/node2/patroni.log" patroni "$dir/node2/patroni.yml"
wait_for "node2 to replicate" 120 curl -sf "http://127.0.0.1:${rest_port[node2]}/replica"

# HAProxy: one port for writes, routed to whichever node Patroni's REST API calls the primary.
# on-marked-down shutdown-sessions cuts connections to a node that stops being primary, so PgBouncer
# and pg-boss reconnect (to the new leader) instead of talking to a demoted node.
mkdir -p "$dir/haproxy"
{
  cat <<EOF
global
    maxconn 1000
defaults
    mode tcp
    timeout connect 2s
    timeout client 30m
    timeout server 30m
    timeout check 1s
listen primary
    bind 127.0.0.1:$haproxy_port
    option httpchk OPTIONS /primary
    http-check expect status 200
    default-server inter 250ms fall 2 rise 2 on-marked-down shutdown-sessions
EOF
  for node in "${nodes[@]}"; do echo "    server $node 127.0.0.1:${pg_port[$node]} check port ${rest_port[$node]}"; done
} > "$dir/haproxy/haproxy.cfg"
haproxy -c -q -f "$dir/haproxy/haproxy.cfg"
start_owned "$dir/haproxy/haproxy.pid" "$dir/haproxy/haproxy.log" haproxy -db -f "$dir/haproxy/haproxy.cfg"
wait_for "HAProxy to reach the leader" 30 "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$haproxy_port" -U postgres -d postgres

# PgBouncer in transaction mode in front of HAProxy (the services' DATABASE_URL). A server connection
# HAProxy cut is dropped and replaced; server_login_retry 1 s instead of 15 s while no node is primary.
mkdir -p "$dir/pgbouncer"
echo '"postgres" ""' > "$dir/pgbouncer/userlist.txt"
cat > "$dir/pgbouncer/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$haproxy_port

[pgbouncer]
pool_mode = transaction
listen_addr = 127.0.0.1
listen_port = $pgbouncer_port
unix_socket_dir = $dir/pgbouncer
pidfile = $dir/pgbouncer/pgbouncer.pid
logfile = $dir/pgbouncer/pgbouncer.log
auth_type = trust
auth_file = $dir/pgbouncer/userlist.txt
max_client_conn = 500
default_pool_size = 20
server_login_retry = 1
server_connect_timeout = 3
server_check_delay = 0
server_check_query = select 1
query_wait_timeout = 10
EOF
if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
as_owner pgbouncer -d "$dir/pgbouncer/pgbouncer.ini"
wait_for "PgBouncer" 30 "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pgbouncer_port" -U postgres -d postgres

export HA_VERSIONS="Patroni $patroni_version, etcd $(etcd --version | head -n 1 | cut -d' ' -f3), PostgreSQL $("$pg_bin/postgres" --version | cut -d' ' -f3), HAProxy $(haproxy -v | head -n 1 | cut -d' ' -f3), PgBouncer $(pgbouncer --version | head -n 1 | cut -d' ' -f2)"
echo "$HA_VERSIONS: nodes ${nodes[*]} on ports ${pg_port[node1]}, ${pg_port[node2]}; HAProxy 127.0.0.1:$haproxy_port; PgBouncer 127.0.0.1:$pgbouncer_port"

cluster_json="["
for node in "${nodes[@]}"; do
  cluster_json+="{\"name\":\"$node\",\"restUrl\":\"http://127.0.0.1:${rest_port[$node]}\",\"pgPort\":${pg_port[$node]},\"dataDir\":\"$dir/$node/data\"},"
done
export HA_NODES="${cluster_json%,}]"
export HA_DIRECT_URL="postgres://postgres@127.0.0.1:$haproxy_port/"
export HA_POOLER_URL="postgres://postgres@127.0.0.1:$pgbouncer_port/"
# In a session of its own, so the teardown can end jest and the service processes it started as one
# group; --forceExit: a client still retrying when a run fails must not hold the teardown.
setsid npx jest -c test/ha/jest.config.js --runInBand --forceExit "$@" &
jest_pid=$!
wait "$jest_pid"
