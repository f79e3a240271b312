// Ledgerline benchmark harness: `npm run bench` (builds, then runs this file). See bench/README.md.
//
// 1. Creates its own database, starts the built service through a wire-protocol tap (pg-tap.mjs),
//    sets up a client and funded wallets through the API, and captures the exact statements and
//    round trips of one first-time order, a first and a later replay, and one wallet read.
// 2. Turns the captured order into pgbench scripts (the service's own statements, and the
//    7-statement reference shape of PERFORMANCE.md) against a pgbench-owned client and wallets.
// 3. Restarts the service without the tap and runs, in interleaved rounds, autocannon scenarios
//    and pgbench at the same concurrency, sampling RSS and CPU.
// 4. Writes bench/results/latest.json and bench/RESULTS.md, drops the database.
import autocannon from 'autocannon';
import pg from 'pg';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { summariseProfile } from './profile.mjs';
import { startPgTap, statementsOf } from './pg-tap.mjs';
import { renderReport, renderTable } from './report.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');

const config = {
  seconds: positiveInt('BENCH_SECONDS', 10),
  warmupSeconds: positiveInt('BENCH_WARMUP_SECONDS', 2, { allowZero: true }),
  connections: positiveInt('BENCH_CONNECTIONS', 32),
  rounds: positiveInt('BENCH_ROUNDS', 2),
  // A CPU profile of the service under load, taken on a separate instance after the rounds.
  profileSeconds: positiveInt('BENCH_PROFILE_SECONDS', 4, { allowZero: true }),
  // Whether a fresh process survives as many concurrent first-time orders as it has connections.
  coldStart: process.env.BENCH_COLD_START !== '0',
  serverUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  pgbench: process.env.BENCH_PGBENCH || '/usr/bin/pgbench',
  pgbenchThreads: 2,
  wallets: 64,
  funding: 1_000_000_000_000, // minor units per wallet: far more than any run can spend
  poolSize: 8, // the service's default DATABASE_POOL_SIZE
};

const ORDER = { product_id: 123, denomination: 1000, quantity: 1 };
const SERVICE_APP = 'ledgerline';
const CLK_TCK = clockTicks();

/** Everything that must be undone, whatever happens. */
const cleanup = { services: new Set(), children: new Set(), tap: null, adminDb: null, dbName: null, done: false };

function positiveInt(name, fallback, { allowZero = false } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${raw}`);
  return value;
}

function clockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

function log(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Processes

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startService({ databaseUrl, adminToken, credentialsKey, label, logDir, nodeArgs = [], extraEnv = {}, ipc = false }) {
  const port = await freePort();
  const logFile = path.join(logDir, `${label}.log`);
  const out = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(config.poolSize),
      ADMIN_TOKEN: adminToken,
      CREDENTIALS_KEY: credentialsKey,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000000',
      ...extraEnv,
    },
    stdio: ipc ? ['ignore', out, out, 'ipc'] : ['ignore', out, out],
  });
  fs.closeSync(out);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const service = { child, pid: child.pid, baseUrl: `http://127.0.0.1:${port}`, logFile, exited, running: true };
  void exited.then(() => (service.running = false));
  service.stop = (graceMs = 15_000) => stopChild(child, exited, graceMs);
  cleanup.services.add(service);

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!service.running) break;
    const ready = await fetch(`${service.baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) })
      .then((response) => response.status === 200)
      .catch(() => false);
    if (ready) return service;
    await sleep(200);
  }
  await service.stop();
  throw new Error(`the service (${label}) did not become ready within 60 s:\n${tail(logFile)}`);
}

/** SIGTERM, then SIGKILL after `graceMs`. Answers how it ended: 'already', 'terminated' or 'killed'. */
async function stopChild(child, exited, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return 'already';
  child.kill('SIGTERM');
  const finished = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (finished) return 'terminated';
  child.kill('SIGKILL');
  await Promise.race([exited, sleep(5000)]);
  return 'killed';
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs a command to completion, killed if it outlives `timeoutMs`. */
function run(command, args, { timeoutMs, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanup.children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    onSpawn?.(child);
    child.once('error', (error) => {
      clearTimeout(timer);
      cleanup.children.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      cleanup.children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function call(baseUrl, method, urlPath, { headers = {}, body, expect } = {}) {
  const response = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (expect !== undefined && response.status !== expect) {
    throw new Error(`${method} ${urlPath} answered ${response.status}, expected ${expect}: ${text.slice(0, 500)}`);
  }
  return { status: response.status, headers: response.headers, text, json: text ? safeJson(text) : null };
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Sampling: RSS of the service, CPU of the service, of our PostgreSQL backends, of the load
// generator and of the whole machine, over one measurement window.

function readProcStat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks
  } catch {
    return null;
  }
}

function readRssKb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function readMachineTicks() {
  const [line] = fs.readFileSync('/proc/stat', 'utf8').split('\n');
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = values;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

class Sampler {
  constructor({ servicePid, monitor, dbName }) {
    this.servicePid = servicePid;
    this.monitor = monitor;
    this.dbName = dbName;
    this.lifetimePeakKb = 0;
    this.timer = null;
    this.window = null;
    // RSS is sampled for the service's whole life, not only inside windows.
    this.rssTimer = setInterval(() => this.sampleRss(), 100);
  }

  sampleRss() {
    const kb = readRssKb(this.servicePid);
    if (kb === null) return;
    this.lifetimePeakKb = Math.max(this.lifetimePeakKb, kb);
    if (this.window) this.window.peakKb = Math.max(this.window.peakKb, kb);
  }

  /** `watchPids`: extra processes (pgbench) whose CPU counts as load generation. */
  begin() {
    this.window = {
      t0: performance.now(),
      serviceTicks0: readProcStat(this.servicePid),
      machine0: readMachineTicks(),
      loadgen0: process.cpuUsage(),
      peakKb: readRssKb(this.servicePid) ?? 0,
      backends: new Map(), // pid -> { app, first: {t, ticks}, last: {t, ticks} }
      watched: new Map(), // pid -> { t0, last: {t, ticks} }
      polling: false,
    };
    this.timer = setInterval(() => void this.pollBackends(), 500);
    void this.pollBackends();
  }

  watch(pid) {
    if (this.window) this.window.watched.set(pid, { t0: performance.now(), last: null });
  }

  async pollBackends() {
    const window = this.window;
    if (!window || window.polling) return;
    window.polling = true;
    try {
      const { rows } = await this.monitor.query(
        `SELECT pid, application_name FROM pg_stat_activity
         WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        [this.dbName],
      );
      if (this.window !== window) return;
      for (const row of rows) if (!window.backends.has(row.pid)) window.backends.set(row.pid, { app: row.application_name, first: null, last: null });
      this.readBackends(window);
    } catch {
      // A missed poll only makes the estimate coarser.
    } finally {
      window.polling = false;
    }
  }

  readBackends(window) {
    const t = performance.now();
    for (const [pid, backend] of window.backends) {
      const ticks = readProcStat(pid);
      if (ticks === null) continue;
      backend.first ??= { t, ticks };
      backend.last = { t, ticks };
    }
    for (const [pid, watched] of window.watched) {
      const ticks = readProcStat(pid);
      if (ticks !== null) watched.last = { t, ticks };
    }
  }

  end() {
    const window = this.window;
    clearInterval(this.timer);
    this.readBackends(window);
    this.window = null;
    const seconds = (performance.now() - window.t0) / 1000;
    const machine1 = readMachineTicks();
    const serviceTicks1 = readProcStat(this.servicePid);
    const loadgen = process.cpuUsage(window.loadgen0);
    const backendCores = {};
    for (const backend of window.backends.values()) {
      if (!backend.first || !backend.last || backend.last.t - backend.first.t < 200) continue;
      const cores = (backend.last.ticks - backend.first.ticks) / CLK_TCK / ((backend.last.t - backend.first.t) / 1000);
      const app = backend.app || '(none)';
      backendCores[app] = (backendCores[app] ?? 0) + cores;
    }
    let watchedCores = 0;
    for (const watched of window.watched.values()) {
      if (watched.last && watched.last.t - watched.t0 > 200) watchedCores += watched.last.ticks / CLK_TCK / ((watched.last.t - watched.t0) / 1000);
    }
    const machineCores = ((machine1.busy - window.machine0.busy) / (machine1.total - window.machine0.total)) * os.cpus().length;
    return {
      seconds,
      peakRssMb: window.peakKb / 1024,
      cores: {
        machine: machineCores,
        service: window.serviceTicks0 === null || serviceTicks1 === null ? null : (serviceTicks1 - window.serviceTicks0) / CLK_TCK / seconds,
        loadGenerator: (loadgen.user + loadgen.system) / 1e6 / seconds + watchedCores,
        postgresBackends: backendCores,
      },
    };
  }

  close() {
    clearInterval(this.rssTimer);
    clearInterval(this.timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Setup through the API

async function setUpThroughApi(baseUrl, adminToken) {
  const issued = await call(baseUrl, 'POST', '/v1/admin/clients', {
    headers: { authorization: `Bearer ${adminToken}` },
    body: { name: 'bench' },
  });
  if (issued.status !== 201 && issued.status !== 200) throw new Error(`creating the client answered ${issued.status}: ${issued.text}`);
  const { id: clientId, api_key: apiKey, api_secret: apiSecret } = issued.json;
  const auth = { 'x-api-key': apiKey, 'x-api-secret': apiSecret };

  const newFundedWallet = async () => {
    const wallet = await call(baseUrl, 'POST', '/v1/wallets', { headers: auth, body: { currency: 'USD' }, expect: 201 });
    await call(baseUrl, 'POST', `/v1/wallets/${wallet.json.id}/deposits`, {
      headers: { ...auth, 'idempotency-key': `bench-fund-${randomUUID()}` },
      body: { amount: config.funding },
      expect: 201,
    });
    return wallet.json.id;
  };
  const wallets = [];
  for (let i = 0; i < config.wallets; i++) wallets.push(await newFundedWallet());
  const hotWallet = await newFundedWallet();

  // The stored key every replay request repeats.
  const replay = {
    key: `bench-replay-${randomUUID()}`,
    body: { wallet_id: wallets[0], ...ORDER },
  };
  await call(baseUrl, 'POST', '/v1/orders', { headers: { ...auth, 'idempotency-key': replay.key }, body: replay.body, expect: 201 });
  return { clientId, auth, wallets, hotWallet, replay };
}

/**
 * One order and one read, one at a time, before any load: a fresh process loads the product
 * catalogue on its first order through a pool connection of its own (see coldStartCheck).
 */
async function primeService(baseUrl, setup) {
  await call(baseUrl, 'POST', '/v1/orders', {
    headers: { ...setup.auth, 'idempotency-key': randomUUID() },
    body: { wallet_id: setup.wallets[1], ...ORDER },
    expect: 201,
  });
  await call(baseUrl, 'GET', `/v1/wallets/${setup.wallets[1]}`, { headers: setup.auth, expect: 200 });
}

// ---------------------------------------------------------------------------------------------
// Cold start under load: a fresh process whose pool is full of open connections (as after a burst of
// reads) receives as many concurrent first-time orders as it has connections.

async function coldStartCheck({ setup, databaseUrl, adminToken, credentialsKey, logDir, db }) {
  const service = await startService({ databaseUrl, adminToken, credentialsKey, label: 'cold-start', logDir });
  const result = {};
  try {
    await Promise.all(Array.from({ length: config.poolSize }, () => call(service.baseUrl, 'GET', `/v1/wallets/${setup.wallets[0]}`, { headers: setup.auth })));
    const started = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: config.connections }, (_, index) =>
        fetch(`${service.baseUrl}/v1/orders`, {
          method: 'POST',
          headers: { ...setup.auth, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({ wallet_id: setup.wallets[index % setup.wallets.length], ...ORDER }),
          signal: AbortSignal.timeout(10_000),
        })
          .then(async (response) => {
            await response.arrayBuffer();
            return String(response.status);
          })
          .catch((error) => (error.name === 'TimeoutError' ? 'no answer in 10 s' : error.name)),
      ),
    );
    const elapsedMs = performance.now() - started;
    const outcomes = {};
    for (const status of statuses) outcomes[status] = (outcomes[status] ?? 0) + 1;
    const stuck = statuses.filter((status) => !status.startsWith('2')).length;
    let activity = null;
    let ready = null;
    if (stuck > 0) {
      const { rows } = await db.query(
        `SELECT state, query, count(*)::int AS connections FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = $1 GROUP BY state, query ORDER BY connections DESC`,
        [SERVICE_APP],
      );
      activity = rows.map((row) => ({ ...row, query: row.query.replace(/\s+/g, ' ').trim().slice(0, 120) }));
      ready = await call(service.baseUrl, 'GET', '/health/ready').then((response) => response.status).catch((error) => error.name);
    }
    Object.assign(result, { orders: config.connections, poolSize: config.poolSize, outcomes, stuck, elapsedMs, activity, readyStatus: ready });
  } finally {
    // A stuck process may not finish its shutdown (its pool waits for the stuck clients): 10 s, then SIGKILL.
    result.shutdown = await service.stop(10_000);
    cleanup.services.delete(service);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Capture: the exact statements and round trips of one request

async function captureRequest(tap, send) {
  tap.start();
  const response = await send();
  await sleep(50); // nothing should follow the response, but let stragglers show if they do
  const events = tap.stop().filter((event) => event.applicationName === SERVICE_APP);
  const statements = statementsOf(events);
  return {
    status: response.status,
    replayed: response.headers.get('idempotency-replayed'),
    responseBody: response.json,
    roundTrips: events.filter((event) => event.type === 'ReadyForQuery').length,
    syncsAndQueries: events.filter((event) => event.type === 'Sync' || event.type === 'Query').length,
    connections: [...new Set(events.map((event) => event.connection))].length,
    errors: events.filter((event) => event.type === 'Error').map((event) => event.message),
    statements,
  };
}

async function captureStatements(tap, baseUrl, setup) {
  const order = (walletId, key) =>
    call(baseUrl, 'POST', '/v1/orders', { headers: { ...setup.auth, 'idempotency-key': key }, body: { wallet_id: walletId, ...ORDER } });
  // Warm the process first (credentials cache, catalogue, prepared statements if any).
  for (let i = 0; i < 5; i++) await order(setup.wallets[1], randomUUID());
  await call(baseUrl, 'GET', `/v1/wallets/${setup.wallets[1]}`, { headers: setup.auth, expect: 200 });

  const orders = [];
  for (let i = 0; i < 3; i++) {
    const key = randomUUID();
    const walletId = setup.wallets[2 + i];
    const captured = await captureRequest(tap, () => order(walletId, key));
    if (captured.status !== 201) throw new Error(`the captured order answered ${captured.status}: ${JSON.stringify(captured.responseBody)}`);
    orders.push({ ...captured, key, walletId, orderId: captured.responseBody.id });
  }
  const replayStoredKey = () =>
    call(baseUrl, 'POST', '/v1/orders', { headers: { ...setup.auth, 'idempotency-key': setup.replay.key }, body: setup.replay.body });
  // The first replay reads the record; later ones may be answered from the replay cache.
  const replay = await captureRequest(tap, replayStoredKey);
  const replayAgain = await captureRequest(tap, replayStoredKey);
  const walletRead = await captureRequest(tap, () => call(baseUrl, 'GET', `/v1/wallets/${setup.wallets[0]}`, { headers: setup.auth }));
  const health = await captureRequest(tap, () => call(baseUrl, 'GET', '/health'));
  return { orders, replay, replayAgain, walletRead, health };
}

// ---------------------------------------------------------------------------------------------
// pgbench scripts, written from the captured order

const PGBENCH_WALLET_PREFIX = '00000000-0000-7000-8000-';
const WALLET_EXPR = `('${PGBENCH_WALLET_PREFIX}' || lpad(:w::text, 12, '0'))::uuid`;
// Time-ordered like the service's UUIDv7 ids; now() is the transaction's start, so every
// statement of one transaction computes the same id.
const ORDER_ID_EXPR = `(lpad(to_hex((extract(epoch from now()) * 1000)::bigint), 12, '0') || substr(md5(:k::text), 13))::uuid`;

/**
 * PERFORMANCE.md's 7-statement limit, kept as a file (order-reference.pgbench): written from the
 * statement-by-statement service, so that it stays the same limit whatever shape the service takes.
 */
function referenceScript() {
  const text = fs.readFileSync(path.join(BENCH_DIR, 'order-reference.pgbench'), 'utf8');
  const sql = text.split('\n').filter((line) => !line.startsWith('--') && !line.startsWith('\\')).join('\n');
  const statements = sql.split(/;\s*\n/).map((statement) => statement.trim()).filter(Boolean).map((statement) => ({ text: statement }));
  return { text, statements };
}

/**
 * Turns captured statements into a pgbench script. Parameters that identify this one order become
 * per-transaction values (a fresh key and order id, a random wallet of the pgbench client); every
 * other parameter is bound as captured, through -D variables, so the server sees the same
 * statements with the same kinds of values.
 */
function pgbenchScript(statements, captured, { pgbenchClientId }) {
  const defines = [['cid', pgbenchClientId]];
  const lines = [
    '-- Generated by bench/run.mjs from the statements the service sent for one first-time order.',
    `\\set k random(1, 9000000000000000000)`,
    `\\set w random(1, ${config.wallets})`,
  ];
  statements.forEach((statement, index) => {
    const replacements = statement.values.map((value, position) => {
      if (value === null) return 'NULL';
      if (value === captured.clientId) return ':cid';
      if (value === captured.walletId) return WALLET_EXPR;
      if (value === captured.key) return ':k';
      if (value === captured.orderId) return ORDER_ID_EXPR;
      const name = `s${index + 1}p${position + 1}`;
      defines.push([name, value]);
      return `:${name}`;
    });
    const text = statement.text.replace(/\$(\d+)/g, (match, n) => replacements[Number(n) - 1] ?? match).trim();
    lines.push(`${text.replace(/;\s*$/, '')};`);
  });
  return { text: `${lines.join('\n')}\n`, defines };
}

/**
 * pgbench's own client and wallets, funded the way a deposit funds them (a wallet leg and a FUNDING
 * leg), so the ledger check still holds over the whole database after pgbench's orders.
 */
async function setUpPgbenchData(db, pgbenchClientId) {
  await db.query('BEGIN');
  await db.query(`INSERT INTO clients (id, name, api_key, secret_hash) VALUES ($1, 'pgbench', $2, sha256('unused'::bytea))`, [
    pgbenchClientId,
    `pgbench-${pgbenchClientId}`,
  ]);
  await db.query(
    `INSERT INTO wallets (client_id, id, currency, balance)
     SELECT $1, ($2 || lpad(n::text, 12, '0'))::uuid, 'USD', $3 FROM generate_series(1, $4::int) AS n`,
    [pgbenchClientId, PGBENCH_WALLET_PREFIX, config.funding, config.wallets],
  );
  await db.query(
    `INSERT INTO ledger_entries (client_id, wallet_id, system_account, currency, type, amount, balance_after, reference_type, reference_id)
     SELECT $1::uuid, w.id, NULL, 'USD', 'DEPOSIT', $3::bigint, $3::bigint, 'DEPOSIT', w.ref
       FROM (SELECT ($2 || lpad(n::text, 12, '0'))::uuid AS id, gen_random_uuid() AS ref FROM generate_series(1, $4::int) AS n) w
     UNION ALL
     SELECT $1::uuid, NULL, 'FUNDING', 'USD', 'DEPOSIT', -($3::bigint) * $4::int, NULL, 'DEPOSIT', gen_random_uuid()`,
    [pgbenchClientId, PGBENCH_WALLET_PREFIX, config.funding, config.wallets],
  );
  await db.query('COMMIT');
}

function parsePgbench(output) {
  const number = (pattern) => {
    const match = pattern.exec(output);
    return match ? Number(match[1]) : null;
  };
  return {
    tps: number(/tps = ([\d.]+) \(without initial connection time\)/),
    processed: number(/number of transactions actually processed: (\d+)/),
    failed: number(/number of failed transactions: (\d+)/),
    latencyAvgMs: number(/latency average = ([\d.]+) ms/),
  };
}

/** Waits until requests cut off at the end of a run have finished on the server: the count stops moving. */
async function settledCount(db, table, clientId) {
  let last = await countRows(db, table, clientId);
  let stable = 0;
  const deadline = Date.now() + 15_000;
  while (stable < 3 && Date.now() < deadline) {
    await sleep(150);
    const now = await countRows(db, table, clientId);
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return last;
}

async function countRows(db, table, clientId) {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE client_id = $1`, [clientId]);
  return rows[0].n;
}

async function runPgbench({ scriptFile, defines, dbUrl, seconds, sampler, db, pgbenchClientId, transactions }) {
  const args = ['-n', '-M', 'prepared', '-c', String(config.connections), '-j', String(config.pgbenchThreads), '-f', scriptFile];
  args.push(...(transactions ? ['-t', String(transactions)] : ['-T', String(seconds)]));
  for (const [name, value] of defines) args.push('-D', `${name}=${value}`);
  args.push(dbUrl);
  const ordersBefore = await countRows(db, 'orders', pgbenchClientId);
  // The server is shared (max_connections): when other work holds too many connections for pgbench's
  // clients, wait and try again rather than report a figure for fewer clients.
  let result;
  let sample;
  let connectionRetries = 0;
  for (;;) {
    sampler?.begin();
    result = await run(config.pgbench, args, {
      timeoutMs: (transactions ? 60 : seconds + 60) * 1000,
      onSpawn: (child) => sampler?.watch(child.pid),
    });
    sample = sampler?.end();
    if (result.code === 0 || !/too many clients|could not create connection/.test(result.stderr) || connectionRetries >= 5) break;
    connectionRetries++;
    log(`  pgbench could not open its ${config.connections} connections (server full); retry ${connectionRetries} in 3 s`);
    await sleep(3000);
  }
  const ordersAfter = await countRows(db, 'orders', pgbenchClientId);
  const parsed = parsePgbench(result.stdout);
  const abortedClients = (result.stderr.match(/aborted/g) ?? []).length;
  return {
    ...parsed,
    exitCode: result.code,
    connectionRetries,
    abortedClients,
    ordersWritten: ordersAfter - ordersBefore,
    stderr: result.stderr.split('\n').filter(Boolean).slice(0, 10).join('\n'),
    ...(sample ? { sample } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// autocannon scenarios

function cannon(options) {
  return new Promise((resolve, reject) => {
    autocannon({ pipelining: 1, timeout: 10, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function scenarioDefinitions(setup) {
  const json = { ...setup.auth, 'content-type': 'application/json' };
  const freshOrder = (pickWallet) => ({
    method: 'POST',
    path: '/v1/orders',
    setupRequest: (request) => ({
      ...request,
      headers: { ...json, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ wallet_id: pickWallet(), ...ORDER }),
    }),
  });
  // The order they run in: every pair whose ratio is a target runs back to back (replays beside
  // /health and beside the wallet read, hot beside spread, spread beside pgbench), and even rounds
  // run the whole sequence backwards.
  return [
    { name: 'health', label: 'GET /health', options: { method: 'GET', path: '/health' } },
    {
      name: 'replays',
      label: 'replays of one stored key',
      checksReplay: true,
      options: { method: 'POST', path: '/v1/orders', headers: { ...json, 'idempotency-key': setup.replay.key }, body: JSON.stringify(setup.replay.body) },
    },
    { name: 'wallet-read', label: 'GET /v1/wallets/:id', options: { method: 'GET', path: `/v1/wallets/${setup.wallets[0]}`, headers: setup.auth } },
    { name: 'orders-hot', label: 'first-time orders, 1 hot wallet', writesOrders: true, options: { requests: [freshOrder(() => setup.hotWallet)] } },
    {
      name: 'orders-spread',
      label: `first-time orders, ${config.wallets} wallets`,
      writesOrders: true,
      options: { requests: [freshOrder(() => setup.wallets[Math.floor(Math.random() * setup.wallets.length)])] },
    },
  ];
}

async function checkReplaySample(baseUrl, setup, count = 20) {
  let replayed = 0;
  let statuses = new Set();
  for (let i = 0; i < count; i++) {
    const response = await call(baseUrl, 'POST', '/v1/orders', {
      headers: { ...setup.auth, 'idempotency-key': setup.replay.key },
      body: setup.replay.body,
    });
    statuses.add(response.status);
    if (response.headers.get('idempotency-replayed') === 'true') replayed++;
  }
  return { sampled: count, replayed, statuses: [...statuses] };
}

async function runScenario(scenario, { service, sampler, db, setup }) {
  // A fixed request goes in the url itself; autocannon reads `path` only inside `requests`.
  const { path: fixedPath = '', ...rest } = scenario.options;
  const options = { url: `${service.baseUrl}${fixedPath}`, connections: config.connections, ...rest };
  const replayCheckBefore = scenario.checksReplay ? await checkReplaySample(service.baseUrl, setup) : null;

  if (config.warmupSeconds > 0) await cannon({ ...options, duration: config.warmupSeconds });
  const counted = scenario.writesOrders || scenario.checksReplay;
  const ordersBefore = counted ? await settledCount(db, 'orders', setup.clientId) : null;
  const keysBefore = counted ? await countRows(db, 'idempotency_keys', setup.clientId) : null;

  sampler.begin();
  const result = await cannon({ ...options, duration: config.seconds });
  const sample = sampler.end();
  const ordersAfter = counted ? await settledCount(db, 'orders', setup.clientId) : null;
  const keysAfter = counted ? await countRows(db, 'idempotency_keys', setup.clientId) : null;
  if (!counted) await sleep(300);

  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count]));
  const outcome = {
    requestsPerSecond: result['2xx'] / result.duration,
    responses: result.requests.total,
    ok: result['2xx'],
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    non2xx: result.non2xx,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    durationSeconds: result.duration,
    sample,
  };
  if (scenario.writesOrders) {
    // Orders committed minus 2xx answered: the requests cut off in flight when the run ended
    // (they still commit, their answers are never read), at most one per connection.
    outcome.ordersWrittenMinusAnswered = ordersAfter - ordersBefore - result['2xx'];
    outcome.keysWritten = keysAfter - keysBefore;
    outcome.ordersWritten = ordersAfter - ordersBefore;
  }
  if (scenario.checksReplay) {
    outcome.replayCheck = {
      before: replayCheckBefore,
      after: await checkReplaySample(service.baseUrl, setup),
      ordersWritten: ordersAfter - ordersBefore,
      keysWritten: keysAfter - keysBefore,
    };
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// CPU profile of the service under load: a separate instance, so the reported figures carry no
// profiler overhead.

async function profileService({ scenarios, setup, databaseUrl, adminToken, credentialsKey, logDir }) {
  const service = await startService({
    databaseUrl,
    adminToken,
    credentialsKey,
    label: 'profile',
    logDir,
    nodeArgs: ['--require', path.join(BENCH_DIR, 'profile-hook.cjs')],
    extraEnv: { BENCH_PROFILE_FILE: path.join(logDir, 'profile') },
    ipc: true,
  });
  await primeService(service.baseUrl, setup);
  const ask = (message, answerKey) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        service.child.off('message', onMessage);
        reject(new Error(`the profiler did not answer '${message}'`));
      }, 30_000);
      const onMessage = (answer) => {
        if (!answer?.[answerKey]) return;
        clearTimeout(timer);
        service.child.off('message', onMessage);
        resolve(answer);
      };
      service.child.on('message', onMessage);
      service.child.send(message);
    });
  const profiles = {};
  try {
    for (const scenario of scenarios) {
      log(`profile: ${scenario.label}`);
      const { path: fixedPath = '', ...rest } = scenario.options;
      const options = { url: `${service.baseUrl}${fixedPath}`, connections: config.connections, ...rest };
      await cannon({ ...options, duration: Math.max(1, config.warmupSeconds) });
      await ask('start', 'started');
      const result = await cannon({ ...options, duration: config.profileSeconds });
      const { written } = await ask('stop', 'written');
      const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count]));
      profiles[scenario.name] = { requestsPerSecond: result['2xx'] / result.duration, statusCodes, errors: result.errors, ...summariseProfile(written) };
      if (result['2xx'] === 0) log(`profile: no 2xx answers (${JSON.stringify(statusCodes)}, ${result.errors} socket errors):\n${tail(service.logFile, 10)}`);
    }
  } finally {
    await service.stop();
    cleanup.services.delete(service);
  }
  return profiles;
}

// ---------------------------------------------------------------------------------------------
// Statistics

function median(values) {
  const sorted = values.filter((value) => typeof value === 'number' && Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function ratio(a, b) {
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;
}

/** The order scenarios are reported in. */
const REPORT_ORDER = ['health', 'wallet-read', 'replays', 'orders-spread', 'orders-hot'];

function summarise(rounds) {
  const names = Object.keys(rounds[0].service).sort((a, b) => REPORT_ORDER.indexOf(a) - REPORT_ORDER.indexOf(b));
  const service = {};
  for (const name of names) {
    const runs = rounds.map((round) => round.service[name]);
    const statusCodes = {};
    for (const runResult of runs) for (const [code, count] of Object.entries(runResult.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
    service[name] = {
      requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      errors: runs.reduce((sum, r) => sum + r.non2xx + r.socketErrors + r.timeouts, 0),
      non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
      socketErrors: runs.reduce((sum, r) => sum + r.socketErrors, 0),
      timeouts: runs.reduce((sum, r) => sum + r.timeouts, 0),
      statusCodes,
      peakRssMb: Math.max(...runs.map((r) => r.sample.peakRssMb)),
      cores: {
        machine: median(runs.map((r) => r.sample.cores.machine)),
        service: median(runs.map((r) => r.sample.cores.service)),
        loadGenerator: median(runs.map((r) => r.sample.cores.loadGenerator)),
        postgres: median(runs.map((r) => r.sample.cores.postgresBackends[SERVICE_APP] ?? 0)),
      },
    };
  }
  const pgbench = {};
  for (const name of Object.keys(rounds[0].pgbench)) {
    const runs = rounds.map((round) => round.pgbench[name]);
    pgbench[name] = {
      tps: median(runs.map((r) => r.tps)),
      latencyAvgMs: median(runs.map((r) => r.latencyAvgMs)),
      failed: runs.reduce((sum, r) => sum + (r.failed ?? 0), 0),
      runsWithoutResult: runs.filter((r) => r.tps === null || r.exitCode !== 0).length,
      connectionRetries: runs.reduce((sum, r) => sum + (r.connectionRetries ?? 0), 0),
      abortedClients: runs.reduce((sum, r) => sum + r.abortedClients, 0),
      cores: {
        machine: median(runs.map((r) => r.sample?.cores.machine)),
        loadGenerator: median(runs.map((r) => r.sample?.cores.loadGenerator)),
        postgres: median(runs.map((r) => r.sample?.cores.postgresBackends.pgbench ?? 0)),
      },
    };
  }
  const perRound = rounds.map((round) => ({
    ordersVsPgbench: ratio(round.service['orders-spread']?.requestsPerSecond, round.pgbench.exact?.tps),
    ordersVsReference: ratio(round.service['orders-spread']?.requestsPerSecond, round.pgbench.reference?.tps),
    replaysVsHealth: ratio(round.service.replays?.requestsPerSecond, round.service.health?.requestsPerSecond),
    replaysVsWalletRead: ratio(round.service.replays?.requestsPerSecond, round.service['wallet-read']?.requestsPerSecond),
    hotVsSpread: ratio(round.service['orders-hot']?.requestsPerSecond, round.service['orders-spread']?.requestsPerSecond),
  }));
  const ratios = Object.fromEntries(Object.keys(perRound[0]).map((key) => [key, median(perRound.map((r) => r[key]))]));
  return { service, pgbench, ratios, perRound };
}

// ---------------------------------------------------------------------------------------------
// Machine

function machineInfo() {
  const cpus = os.cpus();
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    autocannon: JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/autocannon/package.json'), 'utf8')).version,
    pgbench: safeExec(config.pgbench, ['--version']),
  };
}

function safeExec(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

/** What else was running: the load average and the busiest other processes. */
function machineLoad() {
  const [one, five, fifteen] = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  const busiest = (safeExec('ps', ['-eo', 'pid=,pcpu=,comm=,args=', '--sort=-pcpu']) ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.includes('ps -eo'))
    .slice(0, 6)
    .map((line) => line.slice(0, 140));
  const otherTestRunners = (safeExec('ps', ['-eo', 'args=']) ?? '').split('\n').filter((line) => /jest|ts-jest|nest build|tsc /.test(line)).length;
  return { loadAverage: [one, five, fifteen], busiest, otherTestRunners };
}

/** Which code was measured: dist/ is built from the working tree, which may hold uncommitted work. */
function sourceRevision() {
  const head = safeExec('git', ['-C', ROOT, 'log', '-1', '--format=%h %s']);
  return head ? `${head} (HEAD of the working tree dist/ was built from)` : 'unknown';
}

function commandLine() {
  const knobs = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${value}`)
    .sort();
  const command = process.env.npm_lifecycle_event === 'bench' ? 'npm run bench' : `node ${path.relative(ROOT, process.argv[1])}`;
  return [...knobs, command].join(' ');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const startedAt = new Date();
  const mainJs = path.join(ROOT, 'dist/src/main.js');
  if (!fs.existsSync(mainJs)) throw new Error('dist/src/main.js is missing: run `npm run build` (or `npx nest build`) first');
  if (!fs.existsSync(config.pgbench)) throw new Error(`pgbench not found at ${config.pgbench} (set BENCH_PGBENCH)`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  // Service logs and CPU profiles; removed after a successful run, kept (and named) after a failure.
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-bench-'));
  cleanup.logDir = logDir;
  const loadBefore = machineLoad();
  log(`load average before: ${loadBefore.loadAverage.join(' ')}; ${config.rounds} rounds of ${config.seconds} s at ${config.connections} connections`);

  // The database: created here, dropped in cleanup.
  const server = new URL(config.serverUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(server.hostname)) throw new Error(`BENCH_DATABASE_URL must point at this machine, got ${server.hostname}`);
  const adminDb = new pg.Client({ connectionString: config.serverUrl, application_name: 'ledgerline-bench' });
  adminDb.on('error', (error) => log(`admin connection: ${error.message}`));
  await adminDb.connect();
  cleanup.adminDb = adminDb;
  const dbName = `ledgerline_bench_${startedAt.toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
  await adminDb.query(`CREATE DATABASE ${dbName}`);
  cleanup.dbName = dbName;
  const dbUrl = new URL(config.serverUrl);
  dbUrl.pathname = `/${dbName}`;
  const { rows: [{ version: postgresVersion }] } = await adminDb.query('SELECT version()');
  const { rows: [connectionsAtStart] } = await adminDb.query(
    `SELECT current_setting('max_connections')::int AS max, count(*)::int AS in_use,
            count(DISTINCT datname)::int AS databases
     FROM pg_stat_activity WHERE backend_type = 'client backend'`,
  );
  log(`database ${dbName} created`);

  const adminToken = randomBytes(24).toString('hex');
  const credentialsKey = randomBytes(32).toString('base64');

  // 1. Capture instance: the service behind the wire tap.
  const tap = await startPgTap({ host: server.hostname === 'localhost' ? '127.0.0.1' : server.hostname.replace(/^\[|\]$/g, ''), port: Number(server.port || 5432) });
  cleanup.tap = tap;
  const tappedUrl = new URL(dbUrl);
  tappedUrl.hostname = '127.0.0.1';
  tappedUrl.port = String(tap.port);
  let service = await startService({ databaseUrl: tappedUrl.toString(), adminToken, credentialsKey, label: 'capture', logDir });
  log('service (capture instance) ready; setting up a client and wallets through the API');
  const setup = await setUpThroughApi(service.baseUrl, adminToken);
  const capture = await captureStatements(tap, service.baseUrl, setup);
  await service.stop();
  cleanup.services.delete(service);
  await tap.close();
  cleanup.tap = null;
  const captured = capture.orders.at(-1);
  log(`captured: ${captured.roundTrips} round trips per first-time order (${capture.orders.map((o) => o.roundTrips).join(', ')}), ${capture.replay.roundTrips} per first replay, ${capture.replayAgain.roundTrips} per later replay, ${capture.walletRead.roundTrips} per wallet read`);

  // 2. pgbench scripts and data.
  const db = new pg.Client({ connectionString: dbUrl.toString(), application_name: 'ledgerline-bench' });
  db.on('error', (error) => log(`bench database connection: ${error.message}`));
  await db.connect();
  const pgbenchClientId = randomUUID();
  await setUpPgbenchData(db, pgbenchClientId);
  const capturedIds = { clientId: setup.clientId, walletId: captured.walletId, key: captured.key, orderId: captured.orderId };
  const exactStatements = captured.statements;
  const reference = referenceScript();
  const scripts = {
    exact: { label: "pgbench, the service's statements", statements: exactStatements, ...pgbenchScript(exactStatements, capturedIds, { pgbenchClientId }) },
    reference: {
      label: `pgbench, ${reference.statements.length}-statement reference shape`,
      statements: reference.statements,
      text: reference.text,
      defines: [
        ['cid', pgbenchClientId],
        ['headers', JSON.stringify({ 'content-type': 'application/json; charset=utf-8' })],
        ['body', JSON.stringify(captured.responseBody)],
      ],
    },
  };
  for (const [name, script] of Object.entries(scripts)) {
    script.file = path.join(RESULTS_DIR, `order-${name}.pgbench`);
    fs.writeFileSync(script.file, script.text);
    // Both scripts must run clean before they count: a few transactions, then the rows they wrote.
    const check = await runPgbench({ scriptFile: script.file, defines: script.defines, dbUrl: dbUrl.toString(), db, pgbenchClientId, transactions: 3 });
    script.check = check;
    if (check.exitCode !== 0 || check.failed || check.ordersWritten !== 3 * config.connections) {
      throw new Error(`the ${name} pgbench script does not run clean (exit ${check.exitCode}, wrote ${check.ordersWritten} orders):\n${check.stderr}`);
    }
  }
  log('pgbench scripts checked');

  // 3. Measurement instance: the service straight on PostgreSQL.
  service = await startService({ databaseUrl: dbUrl.toString(), adminToken, credentialsKey, label: 'bench', logDir });
  await primeService(service.baseUrl, setup);
  await sleep(500);
  const idleRssMb = (readRssKb(service.pid) ?? 0) / 1024;
  const monitor = new pg.Client({ connectionString: config.serverUrl, application_name: 'ledgerline-bench-monitor' });
  monitor.on('error', (error) => log(`monitor connection: ${error.message}`));
  await monitor.connect();
  const sampler = new Sampler({ servicePid: service.pid, monitor, dbName });
  const scenarios = scenarioDefinitions(setup);
  const rounds = [];
  try {
    for (let round = 1; round <= config.rounds; round++) {
      const results = { round, service: {}, pgbench: {} };
      const serviceFirst = round % 2 === 1;
      const ordered = serviceFirst ? scenarios : [...scenarios].reverse();
      const runService = async () => {
        for (const scenario of ordered) {
          if (!service.running) throw new Error(`the service exited during the run:\n${tail(service.logFile)}`);
          log(`round ${round}: ${scenario.label}`);
          results.service[scenario.name] = await runScenario(scenario, { service, sampler, db, setup });
          const r = results.service[scenario.name];
          log(`  ${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, non-2xx ${r.non2xx}, peak RSS ${r.sample.peakRssMb.toFixed(0)} MB`);
        }
      };
      const runPgbenchPair = async () => {
        for (const name of serviceFirst ? ['exact', 'reference'] : ['reference', 'exact']) {
          const script = scripts[name];
          log(`round ${round}: ${script.label}`);
          if (config.warmupSeconds > 0) {
            await runPgbench({ scriptFile: script.file, defines: script.defines, dbUrl: dbUrl.toString(), seconds: config.warmupSeconds, db, pgbenchClientId });
          }
          const r = await runPgbench({ scriptFile: script.file, defines: script.defines, dbUrl: dbUrl.toString(), seconds: config.seconds, sampler, db, pgbenchClientId });
          results.pgbench[name] = r;
          if (r.exitCode !== 0) log(`  pgbench failed (exit ${r.exitCode}): ${r.stderr}`);
          else log(`  ${r.tps?.toFixed(0)} tps, latency avg ${r.latencyAvgMs} ms, failed ${r.failed}, aborted clients ${r.abortedClients}, orders written ${r.ordersWritten}`);
        }
      };
      if (serviceFirst) {
        await runService();
        await runPgbenchPair();
      } else {
        await runPgbenchPair();
        await runService();
      }
      rounds.push(results);
    }
  } finally {
    sampler.close();
    await monitor.end().catch(() => undefined);
  }

  // 4. After the run: the books must still balance, and the service must stop cleanly.
  const ledger = await call(service.baseUrl, 'GET', '/v1/admin/ledger/check', { headers: { authorization: `Bearer ${adminToken}` } }).catch((error) => ({
    status: 0,
    json: { error: String(error) },
  }));
  const lifetimePeakRssMb = sampler.lifetimePeakKb / 1024;
  await service.stop();
  cleanup.services.delete(service);
  const exit = await service.exited;
  const serviceLogTail = tail(service.logFile, 15);

  let coldStart = null;
  if (config.coldStart) {
    log(`cold start: ${config.connections} concurrent first-time orders on a fresh process`);
    coldStart = await coldStartCheck({ setup, databaseUrl: dbUrl.toString(), adminToken, credentialsKey, logDir, db }).catch((error) => ({ error: error.message }));
    log(`  ${JSON.stringify(coldStart.outcomes ?? coldStart.error)}`);
  }

  let profiles = null;
  if (config.profileSeconds > 0) {
    profiles = await profileService({
      scenarios: scenarios.filter((scenario) => scenario.name !== 'orders-hot'),
      setup,
      databaseUrl: dbUrl.toString(),
      adminToken,
      credentialsKey,
      logDir,
    }).catch((error) => {
      log(`profiling failed: ${error.message}`);
      return { error: error.message };
    });
  }
  await db.end();

  const loadAfter = machineLoad();
  const summary = summarise(rounds);
  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: commandLine(),
    source: sourceRevision(),
    config: { ...config, serverUrl: undefined, databaseServer: `${server.hostname}:${server.port || 5432}` },
    machine: { ...machineInfo(), postgres: postgresVersion, postgresConnectionsAtStart: connectionsAtStart, loadBefore, loadAfter },
    capture: {
      orders: capture.orders.map(slimCapture),
      replay: slimCapture(capture.replay),
      replayAgain: slimCapture(capture.replayAgain),
      walletRead: slimCapture(capture.walletRead),
      health: slimCapture(capture.health),
    },
    pgbenchScripts: Object.fromEntries(
      Object.entries(scripts).map(([name, script]) => [
        name,
        {
          label: script.label,
          file: path.relative(ROOT, script.file),
          statements: script.statements.map((s) => s.text.replace(/\s+/g, ' ').trim()),
          // With these (-D name=value) and the pgbench client's id (cid) the script runs by hand against a copy of the data.
          defines: Object.fromEntries(script.defines),
          check: script.check,
        },
      ]),
    ),
    rounds,
    summary: { ...summary, lifetimePeakRssMb, idleRssMb },
    ledgerCheck: { status: ledger.status, body: ledger.json },
    coldStart,
    profiles,
    serviceExit: exit,
    serviceLogTail,
  };
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(BENCH_DIR, 'RESULTS.md'), renderReport(results, fs.readFileSync(path.join(BENCH_DIR, 'HISTORY.md'), 'utf8')));
  process.stdout.write(`\n${renderTable(results)}\n`);
  log('wrote bench/RESULTS.md and bench/results/latest.json');
  fs.rmSync(logDir, { recursive: true, force: true });
}

function slimCapture(captured) {
  return {
    status: captured.status,
    replayed: captured.replayed,
    roundTrips: captured.roundTrips,
    syncsAndQueries: captured.syncsAndQueries,
    connections: captured.connections,
    errors: captured.errors,
    statements: captured.statements.map((s) => ({
      protocol: s.protocol,
      preparedStatement: s.statement === null ? null : s.statement || '(unnamed)',
      parsed: s.parsed,
      text: s.text.replace(/\s+/g, ' ').trim(),
      parameters: s.values.length,
    })),
  };
}

async function cleanUp() {
  if (cleanup.done) return;
  cleanup.done = true;
  if (cleanup.logDir && fs.existsSync(cleanup.logDir)) log(`service logs: ${cleanup.logDir}`);
  for (const child of cleanup.children) child.kill('SIGKILL');
  for (const service of cleanup.services) await service.stop().catch(() => undefined);
  if (cleanup.tap) await cleanup.tap.close().catch(() => undefined);
  if (cleanup.adminDb) {
    if (cleanup.dbName) {
      await cleanup.adminDb
        .query(`DROP DATABASE IF EXISTS ${cleanup.dbName} WITH (FORCE)`)
        .then(() => log(`database ${cleanup.dbName} dropped`))
        .catch((error) => log(`could not drop ${cleanup.dbName}: ${error.message}`));
    }
    await cleanup.adminDb.end().catch(() => undefined);
  }
}

// Bounded in time always: setup and capture, plus every round's scenarios and pgbench runs, twice over.
const perRoundSeconds = 5 * (config.seconds + config.warmupSeconds + 5) + 2 * (config.seconds + config.warmupSeconds + 5);
const profileSeconds = (config.profileSeconds > 0 ? 4 * (config.profileSeconds + config.warmupSeconds + 10) + 60 : 0) + (config.coldStart ? 60 : 0);
const watchdogMs = (180 + 2 * (config.rounds * perRoundSeconds + profileSeconds)) * 1000;
const watchdog = setTimeout(() => {
  log(`watchdog: the run exceeded ${Math.round(watchdogMs / 1000)} s, stopping`);
  void cleanUp().finally(() => process.exit(2));
}, watchdogMs);
watchdog.unref();

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  await main();
  await cleanUp();
  clearTimeout(watchdog);
} catch (error) {
  log(`failed: ${error.stack ?? error}`);
  await cleanUp();
  process.exit(1);
}
