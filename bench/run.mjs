// Ledgerline benchmark harness: `npm run bench` (builds, then runs this file). See bench/README.md.
//
// 1. Creates its own databases (the service's, and one for the machine's limit on limit.sh's stand-in
//    schema), starts the built service through a wire-protocol tap (pg-tap.mjs), sets up two clients
//    and funded wallets through the API (the second with an order.completed webhook), and captures the
//    exact statements and round trips of each first-time money request (order, order with a webhook
//    subscriber, transfer, payout, deposit), a first and a later replay, a wallet read.
// 2. Turns each captured call into a pgbench script (the exact call of its function, with the values
//    that name one request made per transaction), beside the limit (bench/limit/, copied from
//    ../shared/limit) and the 7-statement reference on the service's own schema.
// 3. Restarts the service without the tap (WEB_CONCURRENCY=BENCH_WORKERS processes) and runs, in
//    interleaved rounds, autocannon scenarios and pgbench at the same concurrency, sampling the RSS
//    and CPU of the service's whole process tree.
// 4. Writes bench/results/latest.json and bench/RESULTS.md, drops the databases.
import autocannon from 'autocannon';
import pg from 'pg';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { summariseProfile } from './profile.mjs';
import { startPgTap, statementsOf } from './pg-tap.mjs';
import { renderReport, renderTable, runCores } from './report.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const LIMIT_DIR = path.join(BENCH_DIR, 'limit');

const config = {
  seconds: positiveInt('BENCH_SECONDS', 10),
  warmupSeconds: positiveInt('BENCH_WARMUP_SECONDS', 2, { allowZero: true }),
  connections: positiveInt('BENCH_CONNECTIONS', 32),
  rounds: positiveInt('BENCH_ROUNDS', 3),
  // The request log's cost is a few per cent, less than the swing between two 10-s runs on a shared
  // machine: it is measured in short alternating pairs (on, off, off, on, ...) within each round.
  logPairs: positiveInt('BENCH_LOG_PAIRS', 8),
  logPairSeconds: positiveInt('BENCH_LOG_PAIR_SECONDS', 3),
  // Before its first pairs, each twin serves orders this long: a process's speed depends on what it has served
  // (two identical instances, one with 30 s more orders behind it, differed by 13 %: bench/HISTORY.md).
  logWarmupSeconds: positiveInt('BENCH_LOG_WARMUP_SECONDS', 10, { allowZero: true }),
  // WEB_CONCURRENCY of the measured service: its worker processes (1: one process, as before).
  // One process: on 2 cores two workers served fewer orders (bench/HISTORY.md), PostgreSQL needs the other core.
  workers: positiveInt('BENCH_WORKERS', 1),
  // A CPU profile of the service under load, taken on a separate instance after the rounds.
  profileSeconds: positiveInt('BENCH_PROFILE_SECONDS', 4, { allowZero: true }),
  // Whether a fresh process survives as many concurrent first-time orders as it has connections.
  coldStart: process.env.BENCH_COLD_START !== '0',
  serverUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  pgbench: process.env.BENCH_PGBENCH || '/usr/bin/pgbench',
  pgbenchThreads: 2,
  wallets: 64,
  funding: 1_000_000_000_000, // minor units per wallet: far more than any run can spend
  poolSize: 8, // the service's default DATABASE_POOL_SIZE (per process)
  // Payouts settle in a worker after this delay: an hour, so that no settlement runs while anything is
  // measured (the payout figures are the request path's: debit, payout row, ledger legs, job).
  payoutSettleDelayMs: 3_600_000,
  // NODE_ENV of every instance. Not 'production': production refuses a webhook URL on loopback (no
  // SSRF), and the webhook scenario needs a receiver on this machine. 'test' differs from production
  // on the request path only by the sandbox-fault runner, which reads one absent header.
  nodeEnv: 'test',
  // After the webhook scenario: how long its backlog of deliveries may drain (the drain rate is reported);
  // what is still queued then is postponed by a week, so that it does not run into the next measurement.
  webhookDrainSeconds: 20,
};

const ORDER = { product_id: 123, denomination: 1000, quantity: 1 };
const TRANSFER_AMOUNT = 1;
const PAYOUT = { amount: 1, destination: { type: 'bank_account', account_number: 'DE89370400440532013000' } };
const DEPOSIT = { amount: 1 };
const SERVICE_APP = 'ledgerline';
const CLK_TCK = clockTicks();
/** Node's flags in `npm run start:prod` (the heap bound): the service is measured as it is deployed. */
const START_NODE_FLAGS = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
  .scripts['start:prod'].split(/\s+/)
  .filter((word) => word.startsWith('--'));

/** Everything that must be undone, whatever happens. */
const cleanup = { services: new Set(), children: new Set(), servers: new Set(), tap: null, adminDb: null, dbNames: [], done: false };

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
// Processes: the service may be a tree (a node:cluster primary and its workers).

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

let childrenFileWorks = null;

/** A process's direct children: /proc/<pid>/task/<tid>/children, or `ps --ppid` where the kernel lacks that file. */
function childrenOf(pid) {
  if (childrenFileWorks === null) childrenFileWorks = fs.existsSync(`/proc/${process.pid}/task/${process.pid}/children`);
  if (!childrenFileWorks) {
    return (safeExec('ps', ['--ppid', String(pid), '-o', 'pid=']) ?? '').split('\n').map((line) => Number(line.trim())).filter((n) => n > 0);
  }
  const children = [];
  let tasks;
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const tid of tasks) {
    try {
      for (const child of fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) if (child) children.push(Number(child));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return children;
}

/** The root and every descendant, root first. */
function processTree(rootPid) {
  if (!fs.existsSync(`/proc/${rootPid}`)) return [];
  const pids = [rootPid];
  for (let i = 0; i < pids.length; i++) for (const child of childrenOf(pids[i])) if (!pids.includes(child)) pids.push(child);
  return pids;
}

function isServiceProcess(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dist/src/main.js');
  } catch {
    return false;
  }
}

async function startService({ databaseUrl, adminToken, credentialsKey, label, logDir, nodeArgs = [], extraEnv = {}, ipc = false, workers = config.workers }) {
  const port = await freePort();
  const logFile = path.join(logDir, `${label}.log`);
  const out = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, ...START_NODE_FLAGS, path.join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: config.nodeEnv,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(config.poolSize),
      WEB_CONCURRENCY: String(workers),
      ADMIN_TOKEN: adminToken,
      CREDENTIALS_KEY: credentialsKey,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000000',
      PAYOUT_SETTLE_DELAY_MS: String(config.payoutSettleDelayMs),
      ...extraEnv,
    },
    stdio: ipc ? ['ignore', out, out, 'ipc'] : ['ignore', out, out],
  });
  fs.closeSync(out);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const service = { child, pid: child.pid, baseUrl: `http://127.0.0.1:${port}`, logFile, exited, running: true, workers, knownPids: new Set([child.pid]) };
  void exited.then(() => (service.running = false));
  service.tree = () => {
    const pids = processTree(child.pid);
    for (const pid of pids) service.knownPids.add(pid);
    return pids;
  };
  service.stop = async (graceMs = 15_000) => {
    service.tree();
    const ended = await stopChild(child, exited, graceMs);
    // Workers that outlive their primary (a SIGKILLed primary cannot take them along) are ours to end.
    await endSurvivors([...service.knownPids].filter((pid) => pid !== child.pid));
    return ended;
  };
  cleanup.services.add(service);

  const deadline = Date.now() + 90_000;
  let ready = false;
  while (Date.now() < deadline && service.running) {
    ready = await freshRequest(service.baseUrl, 'GET', '/health/ready', { timeoutMs: 2000 })
      .then((response) => response.status === 200)
      .catch(() => false);
    if (ready) break;
    await sleep(200);
  }
  if (!ready) {
    await service.stop();
    throw new Error(`the service (${label}) did not become ready within 90 s:\n${tail(logFile)}`);
  }
  // One worker answering does not mean all of them listen. The primary logs "Ledgerline worker <pid>
  // listening" for each (src/workers.ts): wait for all of them; a build that forks nothing (WEB_CONCURRENCY
  // not read) is one process after a few seconds. Then wait for the tree to go quiet (a booting Nest
  // process is busy for a second or two), and for readiness on fresh connections.
  if (workers > 1) {
    const forkDeadline = Date.now() + 5_000;
    const listenDeadline = Date.now() + 60_000;
    for (;;) {
      const forked = service.tree().length - 1;
      service.workersListening = (fs.readFileSync(logFile, 'utf8').match(/worker \d+ listening/g) ?? []).length;
      if (service.workersListening >= workers || !service.running) break;
      if (forked === 0 && Date.now() > forkDeadline) break;
      if (Date.now() > listenDeadline) break;
      await sleep(250);
    }
  }
  service.quietAfterStart = await waitUntilQuiet(service);
  for (let i = 0; i < 4 * workers; i++) await freshRequest(service.baseUrl, 'GET', '/health/ready', { timeoutMs: 5000 }).catch(() => undefined);
  service.processesAtStart = service.tree().length;
  return service;
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

async function endSurvivors(pids) {
  const alive = () => pids.filter((pid) => isServiceProcess(pid));
  if (alive().length === 0) return;
  for (const pid of alive()) safeKill(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (alive().length > 0 && Date.now() < deadline) await sleep(100);
  for (const pid of alive()) safeKill(pid, 'SIGKILL');
}

function safeKill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

/** CPU ticks (utime + stime) of the service's whole tree right now. */
function treeTicks(service) {
  let ticks = 0;
  for (const pid of service.tree()) ticks += readProcStat(pid) ?? 0;
  return ticks;
}

async function waitUntilQuiet(service, { maxMs = 30_000, cores = 0.15 } = {}) {
  const deadline = Date.now() + maxMs;
  let last = treeTicks(service);
  let lastT = performance.now();
  while (Date.now() < deadline) {
    await sleep(1000);
    const ticks = treeTicks(service);
    const t = performance.now();
    if ((ticks - last) / CLK_TCK / ((t - lastT) / 1000) < cores) return true;
    last = ticks;
    lastT = t;
  }
  return false;
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

/** A request on a connection of its own (fetch reuses one), so that a cluster spreads them over its workers. */
function freshRequest(baseUrl, method, urlPath, { headers = {}, body, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(`${baseUrl}${urlPath}`, {
      method,
      agent: false,
      headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }), connection: 'close' },
      timeout: timeoutMs,
    });
    request.once('timeout', () => request.destroy(new Error('timeout')));
    request.once('error', reject);
    request.once('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.once('end', () => resolve({ status: response.statusCode, text, json: text ? safeJson(text) : null }));
      response.once('error', reject);
    });
    request.end(payload);
  });
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The webhook receiver: answers 200 to every delivery, and counts them. */
async function startHookServer() {
  const hook = { received: 0, bytes: 0 };
  const server = http.createServer((request, response) => {
    request.on('data', (chunk) => (hook.bytes += chunk.length));
    request.once('end', () => {
      hook.received++;
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  cleanup.servers.add(server);
  hook.url = `http://127.0.0.1:${server.address().port}/hook`;
  hook.close = () => new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
  return hook;
}

// ---------------------------------------------------------------------------------------------
// Sampling: RSS of the service's processes, CPU of the service, of our PostgreSQL backends, of the
// load generator and of the whole machine, over one measurement window.

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

/** Ticks per pid of the service's tree. */
function treeTickMap(service) {
  const map = new Map();
  for (const pid of service.tree()) {
    const ticks = readProcStat(pid);
    if (ticks !== null) map.set(pid, ticks);
  }
  return map;
}

class Sampler {
  /** `idle`: the bench's other instances (the request log's twins), idle during the measured runs: their CPU is the bench's, not other people's. */
  constructor({ service, monitor, dbNames, idle = [] }) {
    this.service = service;
    this.idle = idle;
    this.monitor = monitor;
    this.dbNames = dbNames;
    // Whole life: the largest RSS any one process reached, and the largest sum over the tree.
    this.lifetime = { processKb: 0, totalKb: 0, processes: 0 };
    this.timer = null;
    this.window = null;
    this.pids = service.tree();
    this.treeAt = performance.now();
    // RSS is sampled for the service's whole life, not only inside windows.
    this.rssTimer = setInterval(() => this.sampleRss(), 100);
  }

  sampleRss() {
    if (performance.now() - this.treeAt > 500) {
      this.pids = this.service.tree();
      this.treeAt = performance.now();
    }
    let totalKb = 0;
    let processKb = 0;
    let processes = 0;
    for (const pid of this.pids) {
      const kb = readRssKb(pid);
      if (kb === null) continue;
      processes++;
      totalKb += kb;
      processKb = Math.max(processKb, kb);
    }
    if (processes === 0) return;
    for (const peaks of [this.lifetime, this.window?.rss].filter(Boolean)) {
      peaks.processKb = Math.max(peaks.processKb, processKb);
      peaks.totalKb = Math.max(peaks.totalKb, totalKb);
      peaks.processes = Math.max(peaks.processes, processes);
    }
  }

  begin() {
    this.window = {
      t0: performance.now(),
      serviceTicks0: treeTickMap(this.service),
      idleTicks0: this.idleTicks(),
      machine0: readMachineTicks(),
      loadgen0: process.cpuUsage(),
      rss: { processKb: 0, totalKb: 0, processes: 0 },
      backends: new Map(), // pid -> { app, first: {t, ticks}, last: {t, ticks} }
      watched: new Map(), // pid -> { t0, last: {t, ticks} }
      polling: false,
    };
    this.sampleRss();
    this.timer = setInterval(() => void this.pollBackends(), 500);
    void this.pollBackends();
  }

  idleTicks() {
    const map = new Map();
    for (const instance of this.idle) if (instance.running) for (const [pid, ticks] of treeTickMap(instance)) map.set(pid, ticks);
    return map;
  }

  /** Extra processes (pgbench) whose CPU counts as load generation. */
  watch(pid) {
    if (this.window) this.window.watched.set(pid, { t0: performance.now(), last: null });
  }

  async pollBackends() {
    const window = this.window;
    if (!window || window.polling) return;
    window.polling = true;
    try {
      // Our databases' client backends by application_name; PostgreSQL's housekeeping (autovacuum on our
      // databases, WAL writer, checkpointer, background writer); and other databases' backends (other
      // people's tests on this shared server), so that "everything else" can be told apart.
      const { rows } = await this.monitor.query(
        `SELECT pid,
                CASE WHEN datname = ANY ($1) AND backend_type = 'client backend' THEN coalesce(application_name, '')
                     WHEN backend_type = 'client backend' THEN '(other databases)'
                     WHEN backend_type = 'autovacuum worker' AND NOT (datname = ANY ($1)) THEN '(other databases)'
                     ELSE '(housekeeping)' END AS app
         FROM pg_stat_activity WHERE pid <> pg_backend_pid()`,
        [this.dbNames],
      );
      if (this.window !== window) return;
      for (const row of rows) if (!window.backends.has(row.pid)) window.backends.set(row.pid, { app: row.app, first: null, last: null });
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
    this.sampleRss();
    this.window = null;
    const seconds = (performance.now() - window.t0) / 1000;
    const machine1 = readMachineTicks();
    const serviceTicks1 = treeTickMap(this.service);
    const idleTicks1 = this.idleTicks();
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
    // A process that began inside the window counts from zero; one that ended inside it is lost.
    const perProcess = [...serviceTicks1].map(([pid, ticks]) => ({ pid, cores: (ticks - (window.serviceTicks0.get(pid) ?? 0)) / CLK_TCK / seconds }));
    const benchInstances = [...idleTicks1].reduce((sum, [pid, ticks]) => sum + (ticks - (window.idleTicks0.get(pid) ?? ticks)) / CLK_TCK / seconds, 0);
    const machineCores = ((machine1.busy - window.machine0.busy) / (machine1.total - window.machine0.total)) * os.cpus().length;
    return {
      seconds,
      peakRssMb: window.rss.processKb / 1024,
      peakRssTotalMb: window.rss.totalKb / 1024,
      processes: window.rss.processes,
      cores: {
        machine: machineCores,
        service: perProcess.length ? perProcess.reduce((sum, p) => sum + p.cores, 0) : null,
        serviceProcesses: perProcess.map((p) => p.cores),
        loadGenerator: (loadgen.user + loadgen.system) / 1e6 / seconds + watchedCores,
        // The request log's twin instances (Node), idle meanwhile.
        benchInstances,
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
// Setup through the API: the bench client (64 wallets and a hot one) and the webhook client (64
// wallets and an order.completed subscription).

async function newClient(baseUrl, adminToken, name) {
  const issued = await call(baseUrl, 'POST', '/v1/admin/clients', { headers: { authorization: `Bearer ${adminToken}` }, body: { name } });
  if (issued.status !== 201 && issued.status !== 200) throw new Error(`creating the client answered ${issued.status}: ${issued.text}`);
  const { id: clientId, api_key: apiKey, api_secret: apiSecret } = issued.json;
  return { clientId, auth: { 'x-api-key': apiKey, 'x-api-secret': apiSecret } };
}

async function fundedWallets(baseUrl, client, count) {
  const wallets = [];
  for (let i = 0; i < count; i++) {
    const wallet = await call(baseUrl, 'POST', '/v1/wallets', { headers: client.auth, body: { currency: 'USD' }, expect: 201 });
    await call(baseUrl, 'POST', `/v1/wallets/${wallet.json.id}/deposits`, {
      headers: { ...client.auth, 'idempotency-key': `bench-fund-${randomUUID()}` },
      body: { amount: config.funding },
      expect: 201,
    });
    wallets.push(wallet.json.id);
  }
  return wallets;
}

async function setUpThroughApi(baseUrl, adminToken, hook) {
  const main = await newClient(baseUrl, adminToken, 'bench');
  main.wallets = await fundedWallets(baseUrl, main, config.wallets);
  [main.hotWallet] = await fundedWallets(baseUrl, main, 1);

  const webhook = await newClient(baseUrl, adminToken, 'bench-webhook');
  webhook.wallets = await fundedWallets(baseUrl, webhook, config.wallets);
  const endpoint = await call(baseUrl, 'POST', '/v1/webhooks', { headers: webhook.auth, body: { url: hook.url, events: ['order.completed'] }, expect: 201 });
  webhook.endpointId = endpoint.json.id;

  // The stored key every replay request repeats.
  const replay = { key: `bench-replay-${randomUUID()}`, body: { wallet_id: main.wallets[0], ...ORDER } };
  await call(baseUrl, 'POST', '/v1/orders', { headers: { ...main.auth, 'idempotency-key': replay.key }, body: replay.body, expect: 201 });
  return { clientId: main.clientId, auth: main.auth, wallets: main.wallets, hotWallet: main.hotWallet, webhook, replay };
}

const pick = (wallets) => wallets[Math.floor(Math.random() * wallets.length)];

/** Two different wallets, at random. */
function pickPair(wallets) {
  const from = Math.floor(Math.random() * wallets.length);
  const to = (from + 1 + Math.floor(Math.random() * (wallets.length - 1))) % wallets.length;
  return [wallets[from], wallets[to]];
}

/** The first-time money requests, each as { path, body } for a client and its wallets. */
const REQUESTS = {
  order: (wallets) => ({ path: '/v1/orders', body: { wallet_id: pick(wallets), ...ORDER } }),
  transfer: (wallets) => {
    const [from, to] = pickPair(wallets);
    return { path: '/v1/transfers', body: { from_wallet_id: from, to_wallet_id: to, amount: TRANSFER_AMOUNT } };
  },
  payout: (wallets) => ({ path: '/v1/payouts', body: { wallet_id: pick(wallets), ...PAYOUT } }),
  deposit: (wallets) => {
    const wallet = pick(wallets);
    return { path: `/v1/wallets/${wallet}/deposits`, body: DEPOSIT };
  },
};

/**
 * A few requests of each kind, one at a time and each on a connection of its own (so every worker of a
 * cluster gets some), before any load: a fresh process loads the product catalogue on its first order.
 */
async function primeService(service, setup) {
  for (let i = 0; i < 2 * service.workers; i++) {
    for (const [kind, make] of Object.entries(REQUESTS)) {
      const { path: urlPath, body } = make(setup.wallets);
      const answer = await freshRequest(service.baseUrl, 'POST', urlPath, { headers: { ...setup.auth, 'idempotency-key': randomUUID() }, body });
      if (answer.status !== 201) throw new Error(`priming: a ${kind} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    }
    await freshRequest(service.baseUrl, 'GET', `/v1/wallets/${setup.wallets[1]}`, { headers: setup.auth });
  }
}

// ---------------------------------------------------------------------------------------------
// Cold start under load: a fresh process whose pool is full of open connections (as after a burst of
// reads) receives as many concurrent first-time orders as it has connections.

async function coldStartCheck({ setup, databaseUrl, adminToken, credentialsKey, logDir, db }) {
  const service = await startService({ databaseUrl, adminToken, credentialsKey, label: 'cold-start', logDir, workers: 1 });
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

/** Waits until no webhook delivery is pending (they run on the service's own pool, and would show in a capture). */
async function drainDeliveries(db, { maxMs }) {
  const started = performance.now();
  const pendingAtStart = await pendingDeliveries(db);
  let pending = pendingAtStart;
  while (pending > 0 && performance.now() - started < maxMs) {
    await sleep(250);
    pending = await pendingDeliveries(db);
  }
  return { pendingAtStart, pendingAtEnd: pending, drainMs: performance.now() - started };
}

async function pendingDeliveries(db) {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'webhook-delivery' AND state < 'completed' AND start_after < now() + interval '1 day'`);
  return rows[0].n;
}

/**
 * The deliveries still queued after the drain are moved a week ahead (pg-boss's start_after): they stay
 * in the queue (the bench's database is dropped at the end), but none runs into the next measurement.
 * Those in flight finish first.
 */
async function postponeDeliveries(db) {
  const { rowCount } = await db.query(
    `UPDATE pgboss.job SET start_after = now() + interval '7 days' WHERE name = 'webhook-delivery' AND state < 'active' AND start_after < now() + interval '1 day'`,
  );
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && (await pendingDeliveries(db)) > 0) await sleep(100);
  return rowCount;
}

/** The kinds of first-time money request the harness captures and benchmarks, with the table each writes. */
const KINDS = {
  order: { label: 'first-time order', table: 'orders', request: REQUESTS.order },
  'order-webhook': { label: 'first-time order, client with an order.completed webhook', table: 'orders', request: REQUESTS.order, webhookClient: true },
  transfer: { label: 'first-time transfer', table: 'transfers', request: REQUESTS.transfer },
  payout: { label: 'first-time payout', table: 'payouts', request: REQUESTS.payout },
  deposit: { label: 'first-time deposit', table: 'deposits', request: REQUESTS.deposit },
};

async function captureStatements(tap, baseUrl, setup, db) {
  const clientOf = (kind) => (KINDS[kind].webhookClient ? setup.webhook : setup);
  const send = (kind, made, key) =>
    call(baseUrl, 'POST', made.path, { headers: { ...clientOf(kind).auth, 'idempotency-key': key }, body: made.body });
  // Warm the process first (credentials cache, catalogue, each route once or more).
  for (const kind of Object.keys(KINDS)) {
    for (let i = 0; i < (kind === 'order' ? 5 : 2); i++) await send(kind, KINDS[kind].request(clientOf(kind).wallets), randomUUID());
  }
  await call(baseUrl, 'GET', `/v1/wallets/${setup.wallets[1]}`, { headers: setup.auth, expect: 200 });

  const captures = {};
  // The webhook client's last: each of its orders asks for a delivery, which the worker makes on the
  // service's pool; the deliveries are drained before every other capture.
  for (const kind of ['order', 'transfer', 'payout', 'deposit', 'order-webhook']) {
    captures[kind] = [];
    for (let i = 0; i < 3; i++) {
      await drainDeliveries(db, { maxMs: 10_000 });
      await sleep(kind === 'order-webhook' ? 600 : 0); // a delivery's last statements follow its job's completion
      const key = randomUUID();
      const made = KINDS[kind].request(clientOf(kind).wallets);
      const captured = await captureRequest(tap, () => send(kind, made, key));
      if (captured.status !== 201) throw new Error(`the captured ${kind} answered ${captured.status}: ${JSON.stringify(captured.responseBody)}`);
      captures[kind].push({
        ...captured,
        kind,
        key,
        clientId: clientOf(kind).clientId,
        walletId: made.body.wallet_id ?? made.body.from_wallet_id ?? made.path.split('/')[3],
        toWalletId: made.body.to_wallet_id ?? null,
        id: captured.responseBody.id,
      });
    }
  }
  await drainDeliveries(db, { maxMs: 10_000 });
  await sleep(600);
  const replayStoredKey = () =>
    call(baseUrl, 'POST', '/v1/orders', { headers: { ...setup.auth, 'idempotency-key': setup.replay.key }, body: setup.replay.body });
  // The first replay reads the record; later ones may be answered from the replay cache.
  const replay = await captureRequest(tap, replayStoredKey);
  const replayAgain = await captureRequest(tap, replayStoredKey);
  const walletRead = await captureRequest(tap, () => call(baseUrl, 'GET', `/v1/wallets/${setup.wallets[0]}`, { headers: setup.auth }));
  const health = await captureRequest(tap, () => call(baseUrl, 'GET', '/health'));
  return { captures, replay, replayAgain, walletRead, health };
}

// ---------------------------------------------------------------------------------------------
// pgbench scripts, written from the captured calls

const PGBENCH_WALLET_PREFIX = '00000000-0000-7000-8000-';
const walletExpr = (variable) => `('${PGBENCH_WALLET_PREFIX}' || lpad(:${variable}::text, 12, '0'))::uuid`;
// Time-ordered like the service's UUIDv7 ids; now() is the transaction's start, so every
// statement of one transaction computes the same id.
const ID_EXPR = `(lpad(to_hex((extract(epoch from now()) * 1000)::bigint), 12, '0') || substr(md5(:k::text), 13))::uuid`;

/**
 * PERFORMANCE.md's 7-statement order on the service's own schema, kept as a file (order-reference.pgbench):
 * written from the statement-by-statement service, so that it stays the same whatever shape the service
 * takes. A secondary comparison: the limit that decides is limit.sh's, on its stand-in schema.
 */
function referenceScript() {
  const text = fs.readFileSync(path.join(BENCH_DIR, 'order-reference.pgbench'), 'utf8');
  return { text, statements: statementsOfScript(text) };
}

/** The SQL commands of a pgbench script: each ends with ';' or with a \\gset at the end of a line. */
function statementsOfScript(text) {
  const sql = text.split('\n').filter((line) => !line.trim().startsWith('--') && !line.startsWith('\\')).join('\n');
  return `${sql}\n`.split(/(?:;|\\gset)[ \t]*\n/).map((statement) => statement.trim()).filter(Boolean).map((statement) => ({ text: statement }));
}

/**
 * Turns a captured request's statements into a pgbench script. The values that name this one request
 * become per-transaction values: the key (a random 63-bit number), the new resource's id (time-ordered,
 * from now() and the key), the wallet(s) (a random one of the pgbench client's 64, and for a transfer a
 * different second one), the client (pgbench's own). They are found by parameter name in the call
 * (`p_key => $3`), or else by value. Every other parameter is bound as captured, through -D variables, so
 * the server sees the same statement with the same kinds of values; timestamps stay as captured.
 */
function pgbenchScript(captured, { pgbenchClientId }) {
  const defines = [['cid', pgbenchClientId]];
  const lines = [
    `-- Generated by bench/run.mjs from the statements the service sent for one ${KINDS[captured.kind].label}.`,
    `\\set k random(1, 9000000000000000000)`,
    `\\set w random(1, ${config.wallets})`,
  ];
  if (captured.toWalletId) lines.push(`\\set w2 1 + (:w + random(0, ${config.wallets - 2})) % ${config.wallets}`);
  const replaced = [];
  captured.statements.forEach((statement, index) => {
    const names = new Map();
    for (const match of statement.text.matchAll(/\bp_(\w+)\s*=>\s*\$(\d+)/g)) names.set(Number(match[2]) - 1, match[1]);
    const replacements = statement.values.map((value, position) => {
      const name = names.get(position);
      let expression;
      if (value === null) expression = 'NULL';
      else if (name === 'client_id' || value === captured.clientId) expression = ':cid';
      else if (name === 'key' || value === captured.key) expression = ':k';
      else if (value === captured.id) expression = ID_EXPR;
      else if (captured.toWalletId && (name === 'to_wallet_id' || value === captured.toWalletId)) expression = walletExpr('w2');
      else if (value === captured.walletId) expression = walletExpr('w');
      if (expression !== undefined) {
        if (expression !== 'NULL') replaced.push(name ?? `$${position + 1}`);
        return expression;
      }
      const variable = name ? `v_${name}` : `s${index + 1}p${position + 1}`;
      defines.push([variable, value]);
      return `:${variable}`;
    });
    const text = statement.text.replace(/\$(\d+)/g, (match, n) => replacements[Number(n) - 1] ?? match).trim();
    lines.push(`${text.replace(/;\s*$/, '')};`);
  });
  return { text: `${lines.join('\n')}\n`, defines, replaced: [...new Set(replaced)] };
}

/**
 * pgbench's own client and wallets, funded the way a deposit funds them (a wallet leg and a FUNDING
 * leg), so the ledger check still holds over the whole database after pgbench's writes.
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

/** The seed limit.sh inserts after the schema: 100 stored replays. */
const LIMIT_SEED = `insert into idem (client_id,endpoint,key,request_hash,status,response_status,response_body,expires_at) select c,'POST /v1/orders','k'||c,sha256('x'::bytea),'completed',201,'{"id":"x"}'::jsonb, now()+interval '1 day' from generate_series(0,99) c`;

/**
 * limit.sh's database, fresh: its stand-in schema (which drops the tables first) and its seed, and nothing
 * more (no VACUUM or ANALYZE: limit.sh runs none, and its figure is the one the target divides by).
 */
async function resetLimitSchema(limitDb) {
  await limitDb.query(fs.readFileSync(path.join(LIMIT_DIR, 'limit_schema.sql'), 'utf8'));
  await limitDb.query(LIMIT_SEED);
}
/** Recorded in latest.json: runs before this change also ran VACUUM ANALYZE after the seed. */
const LIMIT_RESET = { schema: true, seed: true, vacuumAnalyze: false };

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

/** `clientId` null: the whole table (limit.sh's stand-in schema). */
async function countRows(db, table, clientId) {
  const { rows } = clientId === null
    ? await db.query(`SELECT count(*)::int AS n FROM ${table}`)
    : await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE client_id = $1`, [clientId]);
  return rows[0].n;
}

/** How pgbench sends a script's statements: prepared, as limit.sh runs, unless the script says otherwise. */
const protocolOf = (script) => script.protocol ?? 'prepared';

async function runPgbench(script, { seconds, sampler, transactions }) {
  const args = ['-n', '-M', protocolOf(script), '-c', String(config.connections), '-j', String(config.pgbenchThreads), '-f', script.file];
  args.push(...(transactions ? ['-t', String(transactions)] : ['-T', String(seconds)]));
  for (const [name, value] of script.defines) args.push('-D', `${name}=${value}`);
  args.push(script.dbUrl);
  const rowsBefore = await countRows(script.db, script.table, script.clientId);
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
  const rowsAfter = await countRows(script.db, script.table, script.clientId);
  const parsed = parsePgbench(result.stdout);
  const abortedClients = (result.stderr.match(/aborted/g) ?? []).length;
  return {
    ...parsed,
    exitCode: result.code,
    connectionRetries,
    abortedClients,
    rowsWritten: rowsAfter - rowsBefore,
    stderr: result.stderr.split('\n').filter(Boolean).slice(0, 10).join('\n'),
    ...(sample ? { sample } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// autocannon scenarios

/** A scenario's load against one service. A fixed request goes in the url itself; autocannon reads `path` only inside `requests`. */
function cannonOptions(scenario, service) {
  const { path: fixedPath = '', ...rest } = scenario.options;
  return { url: `${service.baseUrl}${fixedPath}`, connections: config.connections, ...rest };
}

function cannon(options) {
  return new Promise((resolve, reject) => {
    autocannon({ pipelining: 1, timeout: 10, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function scenarioDefinitions(setup) {
  const json = (client) => ({ ...client.auth, 'content-type': 'application/json' });
  /** A fresh key per request, and a fresh request from `make`. */
  const fresh = (client, make) => ({
    method: 'POST',
    path: '/',
    setupRequest: (request) => {
      const { path: urlPath, body } = make();
      return { ...request, method: 'POST', path: urlPath, headers: { ...json(client), 'idempotency-key': randomUUID() }, body: JSON.stringify(body) };
    },
  });
  const writes = (client, table) => ({ table, clientId: client.clientId });
  return {
    health: { name: 'health', label: 'GET /health', options: { method: 'GET', path: '/health' } },
    replays: {
      name: 'replays',
      label: 'replays of one stored key',
      checksReplay: true,
      writes: writes(setup, 'orders'),
      options: { method: 'POST', path: '/v1/orders', headers: { ...json(setup), 'idempotency-key': setup.replay.key }, body: JSON.stringify(setup.replay.body) },
    },
    'wallet-read': { name: 'wallet-read', label: 'GET /v1/wallets/:id', options: { method: 'GET', path: `/v1/wallets/${setup.wallets[0]}`, headers: setup.auth } },
    'orders-spread': {
      name: 'orders-spread',
      label: `first-time orders, ${config.wallets} wallets`,
      writes: writes(setup, 'orders'),
      options: { requests: [fresh(setup, () => REQUESTS.order(setup.wallets))] },
    },
    'orders-webhook': {
      name: 'orders-webhook',
      label: `first-time orders, ${config.wallets} wallets, client with an order.completed webhook`,
      writes: writes(setup.webhook, 'orders'),
      webhook: true,
      options: { requests: [fresh(setup.webhook, () => REQUESTS.order(setup.webhook.wallets))] },
    },
    'orders-hot': {
      name: 'orders-hot',
      label: 'first-time orders, 1 hot wallet',
      writes: writes(setup, 'orders'),
      options: { requests: [fresh(setup, () => REQUESTS.order([setup.hotWallet]))] },
    },
    transfers: {
      name: 'transfers',
      label: `first-time transfers between ${config.wallets} wallets`,
      writes: writes(setup, 'transfers'),
      options: { requests: [fresh(setup, () => REQUESTS.transfer(setup.wallets))] },
    },
    payouts: {
      name: 'payouts',
      label: `first-time payouts, ${config.wallets} wallets`,
      writes: writes(setup, 'payouts'),
      options: { requests: [fresh(setup, () => REQUESTS.payout(setup.wallets))] },
    },
    deposits: {
      name: 'deposits',
      label: `first-time deposits, ${config.wallets} wallets`,
      writes: writes(setup, 'deposits'),
      options: { requests: [fresh(setup, () => REQUESTS.deposit(setup.wallets))] },
    },
  };
}

/**
 * The order a round runs in; even rounds run the whole sequence backwards, so that drift on a shared
 * machine does not favour one side. Back to back: replays between /health and the wallet read; the
 * limit and orders with a webhook on either side of first-time orders; each operation beside pgbench
 * running its own call. First-time orders are the denominator of four targets but have two neighbours:
 * the wallet read (the limit between) and orders on one hot wallet (orders with a webhook, and that
 * scenario's delivery drain of up to `webhookDrainSeconds`, between) run one step away. The request
 * log's pairs compare two twins with each other only, so they come after the orders.
 */
const SEQUENCE = [
  ['service', 'health'],
  ['service', 'replays'],
  ['service', 'wallet-read'],
  ['pgbench', 'limit'],
  ['service', 'orders-spread'],
  ['service', 'orders-webhook'],
  ['service', 'orders-hot'],
  ['paired', 'request-log'],
  ['pgbench', 'reference'],
  ['pgbench', 'limit-unnamed'],
  ['pgbench', 'order-call'],
  ['service', 'transfers'],
  ['pgbench', 'transfer-call'],
  ['service', 'payouts'],
  ['pgbench', 'payout-call'],
  ['service', 'deposits'],
  ['pgbench', 'deposit-call'],
];

/**
 * First-time orders against the log-on and the log-off instance (identical but for the flag) in
 * `logPairs` alternating pairs of `logPairSeconds` (on, off, off, on, ...), so that drift on the
 * machine falls on both sides alike. Answers each side's rate over all its runs, and their ratio.
 */
async function runRequestLogPairs(scenario, { on, off }) {
  const sides = {
    on: { service: on, ok: 0, seconds: 0, non2xx: 0, autocannonErrors: 0, timeouts: 0 },
    off: { service: off, ok: 0, seconds: 0, non2xx: 0, autocannonErrors: 0, timeouts: 0 },
  };
  // Both twins warmed alike, and neither serves anything else: their histories differ only by the log.
  if (config.warmupSeconds > 0) for (const side of Object.values(sides)) await cannon({ ...cannonOptions(scenario, side.service), duration: config.warmupSeconds });
  const pairs = [];
  for (let pair = 0; pair < config.logPairs; pair++) {
    const order = pair % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
    const rates = {};
    for (const name of order) {
      const side = sides[name];
      const result = await cannon({ ...cannonOptions(scenario, side.service), duration: config.logPairSeconds });
      side.ok += result['2xx'];
      side.seconds += result.duration;
      side.non2xx += result.non2xx;
      side.autocannonErrors += result.errors; // timeouts included
      side.timeouts += result.timeouts;
      rates[name] = result['2xx'] / result.duration;
    }
    pairs.push(rates);
  }
  const rate = (side) => side.ok / side.seconds;
  const errors = (side) => ({ non2xx: side.non2xx, autocannonErrors: side.autocannonErrors, timeouts: side.timeouts });
  return {
    pairs,
    onPerSecond: rate(sides.on),
    offPerSecond: rate(sides.off),
    ratio: ratio(rate(sides.on), rate(sides.off)),
    errors: { on: errors(sides.on), off: errors(sides.off) },
  };
}

async function checkReplaySample(baseUrl, setup, count = 20) {
  let replayed = 0;
  const statuses = new Set();
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

async function runScenario(scenario, { service, sampler, db, setup, hook }) {
  const options = cannonOptions(scenario, service);
  const replayCheckBefore = scenario.checksReplay ? await checkReplaySample(service.baseUrl, setup) : null;

  if (config.warmupSeconds > 0) await cannon({ ...options, duration: config.warmupSeconds });
  const counted = Boolean(scenario.writes);
  const rowsBefore = counted ? await settledCount(db, scenario.writes.table, scenario.writes.clientId) : null;
  const keysBefore = counted ? await countRows(db, 'idempotency_keys', scenario.writes.clientId) : null;
  const hookBefore = hook.received;

  sampler.begin();
  const result = await cannon({ ...options, duration: config.seconds });
  const sample = sampler.end();
  const hookDuring = hook.received - hookBefore;
  const rowsAfter = counted ? await settledCount(db, scenario.writes.table, scenario.writes.clientId) : null;
  const keysAfter = counted ? await countRows(db, 'idempotency_keys', scenario.writes.clientId) : null;
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
    // autocannon's `errors` counts every timeout too (lib/run.js, onTimeout): kept whole, and split.
    autocannonErrors: result.errors,
    socketErrors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    statusCodes,
    durationSeconds: result.duration,
    sample,
  };
  if (counted && !scenario.checksReplay) {
    // Rows committed minus 2xx answered: the requests cut off in flight when the run ended
    // (they still commit, their answers are never read), at most one per connection.
    outcome.rowsWritten = rowsAfter - rowsBefore;
    outcome.rowsWrittenMinusAnswered = rowsAfter - rowsBefore - result['2xx'];
    outcome.keysWritten = keysAfter - keysBefore;
  }
  if (scenario.checksReplay) {
    outcome.replayCheck = {
      before: replayCheckBefore,
      after: await checkReplaySample(service.baseUrl, setup),
      ordersWritten: rowsAfter - rowsBefore,
      keysWritten: keysAfter - keysBefore,
    };
  }
  if (scenario.webhook) {
    // Deliveries run in the service's job worker meanwhile; what is left is waited for, so that it does not
    // fall into the next run.
    const receivedBefore = hook.received;
    const drain = await drainDeliveries(db, { maxMs: config.webhookDrainSeconds * 1000 });
    const drained = hook.received - receivedBefore;
    const postponed = drain.pendingAtEnd > 0 ? await postponeDeliveries(db) : 0;
    outcome.webhook = {
      deliveredDuringRun: hookDuring,
      deliveredPerSecond: hookDuring / result.duration,
      ...drain,
      drainedPerSecond: drained / (drain.drainMs / 1000),
      postponed,
    };
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// CPU profile of the service under load: a separate one-process instance, so the reported figures
// carry no profiler overhead.

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
    workers: 1,
  });
  await primeService(service, setup);
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
      const options = cannonOptions(scenario, service);
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

/** The median over runs of each part of runCores (null parts and runs without a sample left out). */
function medianCores(list) {
  const present = list.filter(Boolean);
  const keys = [...new Set(present.flatMap((c) => Object.keys(c)))];
  return Object.fromEntries(keys.map((key) => [key, median(present.map((c) => c[key]))]));
}

function ratio(a, b) {
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;
}

/** The order scenarios and pgbench runs are reported in. */
const REPORT_ORDER = ['orders-spread', 'orders-webhook', 'orders-hot', 'transfers', 'payouts', 'deposits', 'wallet-read', 'replays', 'health'];
const PGBENCH_ORDER = ['limit', 'limit-unnamed', 'order-call', 'reference', 'transfer-call', 'payout-call', 'deposit-call'];

function summarise(rounds) {
  const names = REPORT_ORDER.filter((name) => rounds[0].service[name]);
  const service = {};
  for (const name of names) {
    const runs = rounds.map((round) => round.service[name]).filter(Boolean);
    const statusCodes = {};
    for (const runResult of runs) for (const [code, count] of Object.entries(runResult.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
    const cores = runs.map((r) => runCores(r.sample));
    service[name] = {
      requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
      // The median of the rounds' percentiles (of 2xx answers: autocannon records no other latency), not a percentile over all requests.
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      // Every non-2xx answer plus autocannon's errors, which count each timeout already (socket errors and timeouts below are its parts).
      errors: runs.reduce((sum, r) => sum + r.non2xx + r.autocannonErrors, 0),
      non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
      socketErrors: runs.reduce((sum, r) => sum + r.socketErrors, 0),
      timeouts: runs.reduce((sum, r) => sum + r.timeouts, 0),
      statusCodes,
      peakRssMb: Math.max(...runs.map((r) => r.sample.peakRssMb)),
      peakRssTotalMb: Math.max(...runs.map((r) => r.sample.peakRssTotalMb)),
      processes: Math.max(...runs.map((r) => r.sample.processes)),
      nodeMicrosPerRequest: median(runs.map((r) => (r.requestsPerSecond > 0 && typeof r.sample.cores.service === 'number' ? (r.sample.cores.service * 1e6) / r.requestsPerSecond : null))),
      // Medians over rounds of each part (report.mjs's runCores: the service's PostgreSQL includes its request-log backend).
      cores: medianCores(cores),
      ...(runs[0].webhook
        ? {
            webhook: {
              deliveredPerSecond: median(runs.map((r) => r.webhook.deliveredPerSecond)),
              pendingAtEnd: Math.max(...runs.map((r) => r.webhook.pendingAtStart)),
              drainSeconds: Math.max(...runs.map((r) => r.webhook.drainMs / 1000)),
              drainedPerSecond: median(runs.map((r) => r.webhook.drainedPerSecond)),
              postponed: runs.reduce((sum, r) => sum + r.webhook.postponed, 0),
            },
          }
        : {}),
    };
  }
  const pgbench = {};
  for (const name of PGBENCH_ORDER.filter((n) => rounds[0].pgbench[n])) {
    const runs = rounds.map((round) => round.pgbench[name]).filter(Boolean);
    pgbench[name] = {
      tps: median(runs.map((r) => r.tps)),
      latencyAvgMs: median(runs.map((r) => r.latencyAvgMs)),
      // null: some run's output had no "number of failed transactions" line, so the count is unknown (not 0).
      failed: runs.some((r) => typeof r.failed !== 'number') ? null : runs.reduce((sum, r) => sum + r.failed, 0),
      runsWithoutResult: runs.filter((r) => r.tps === null || r.exitCode !== 0).length,
      connectionRetries: runs.reduce((sum, r) => sum + (r.connectionRetries ?? 0), 0),
      abortedClients: runs.reduce((sum, r) => sum + r.abortedClients, 0),
      // `pgbench`: its backends; `service`, `postgres`, `jobs`: the idle service's (pg-boss polling, timers), what they take from pgbench.
      cores: medianCores(runs.map((r) => runCores(r.sample))),
    };
  }
  const perRound = rounds.map((round) => {
    const rps = (name) => round.service[name]?.requestsPerSecond;
    const tps = (name) => round.pgbench[name]?.tps;
    const spread = round.service['orders-spread'];
    return {
      ordersVsLimit: ratio(rps('orders-spread'), tps('limit')),
      transfersVsOwnCall: ratio(rps('transfers'), tps('transfer-call')),
      payoutsVsOwnCall: ratio(rps('payouts'), tps('payout-call')),
      depositsVsOwnCall: ratio(rps('deposits'), tps('deposit-call')),
      webhookVsPlain: ratio(rps('orders-webhook'), rps('orders-spread')),
      readsVsOrders: ratio(rps('wallet-read'), rps('orders-spread')),
      replaysVsHealth: ratio(rps('replays'), rps('health')),
      replaysVsWalletRead: ratio(rps('replays'), rps('wallet-read')),
      hotVsSpread: ratio(rps('orders-hot'), rps('orders-spread')),
      requestLogOnVsOff: round.paired['request-log']?.ratio ?? null,
      ordersVsOwnCall: ratio(rps('orders-spread'), tps('order-call')),
      ordersVsReference: ratio(rps('orders-spread'), tps('reference')),
      ordersVsLimitUnnamed: ratio(rps('orders-spread'), tps('limit-unnamed')),
      nodeMicrosPerOrder: spread && spread.requestsPerSecond > 0 && typeof spread.sample.cores.service === 'number' ? (spread.sample.cores.service * 1e6) / spread.requestsPerSecond : null,
    };
  });
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
  // Test runners, builds, and load of other kinds (pgbench, services started from dist/) that are not this run's.
  const otherTestRunners = (safeExec('ps', ['-eo', 'pid=,args=']) ?? '')
    .split('\n')
    .filter((line) => /jest|ts-jest|nest build|tsc |pgbench|dist\/src\/main\.js|autocannon/.test(line) && Number(line.trim().split(/\s+/)[0]) !== process.pid).length;
  return { loadAverage: [one, five, fifteen], busiest, otherTestRunners };
}

/** Which code was measured: dist/ is built from the working tree, which may hold uncommitted work. */
function sourceRevision() {
  const head = safeExec('git', ['-C', ROOT, 'log', '-1', '--format=%h %s']);
  const dirty = (safeExec('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src', 'migrations']) ?? '').split('\n').filter(Boolean).length;
  if (!head) return 'unknown';
  return `${head} (HEAD of the working tree dist/ was built from${dirty ? `; ${dirty} uncommitted change(s) under src/ and migrations/` : ''})`;
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
  // Read now, just after `npm run build`: commits made while the bench runs are not what it measures.
  const source = sourceRevision();
  const mainJs = path.join(ROOT, 'dist/src/main.js');
  if (!fs.existsSync(mainJs)) throw new Error('dist/src/main.js is missing: run `npm run build` (or `npx nest build`) first');
  if (!fs.existsSync(config.pgbench)) throw new Error(`pgbench not found at ${config.pgbench} (set BENCH_PGBENCH)`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  // Service logs and CPU profiles; removed after a successful run, kept (and named) after a failure.
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-bench-'));
  cleanup.logDir = logDir;
  const loadBefore = machineLoad();
  log(`load average before: ${loadBefore.loadAverage.join(' ')}; ${config.rounds} rounds of ${config.seconds} s at ${config.connections} connections, ${config.workers} service worker(s)`);

  // The databases: created here, dropped in cleanup.
  const server = new URL(config.serverUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(server.hostname)) throw new Error(`BENCH_DATABASE_URL must point at this machine, got ${server.hostname}`);
  const adminDb = new pg.Client({ connectionString: config.serverUrl, application_name: 'ledgerline-bench' });
  adminDb.on('error', (error) => log(`admin connection: ${error.message}`));
  await adminDb.connect();
  cleanup.adminDb = adminDb;
  const dbName = `ledgerline_bench_${startedAt.toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
  const limitDbName = `${dbName}_limit`;
  for (const name of [dbName, limitDbName]) {
    await adminDb.query(`CREATE DATABASE ${name}`);
    cleanup.dbNames.push(name);
  }
  const urlOf = (name) => {
    const url = new URL(config.serverUrl);
    url.pathname = `/${name}`;
    return url;
  };
  const dbUrl = urlOf(dbName);
  const limitUrl = urlOf(limitDbName);
  const { rows: [{ version: postgresVersion }] } = await adminDb.query('SELECT version()');
  const { rows: [connectionsAtStart] } = await adminDb.query(
    `SELECT current_setting('max_connections')::int AS max, count(*)::int AS in_use,
            count(DISTINCT datname)::int AS databases
     FROM pg_stat_activity WHERE backend_type = 'client backend'`,
  );
  // The server's settings that move every figure here, the service's and pgbench's alike (a CI machine may turn autovacuum off).
  const { rows: postgresSettings } = await adminDb.query(
    `SELECT name, setting, unit, source FROM pg_settings
     WHERE name IN ('autovacuum', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'wal_level') ORDER BY name`,
  );
  log(`databases ${dbName} and ${limitDbName} created`);

  const adminToken = randomBytes(24).toString('hex');
  const credentialsKey = randomBytes(32).toString('base64');
  const hook = await startHookServer();

  // 1. Capture instance: the service behind the wire tap, one process (the statements of a request do not
  //    depend on how many processes serve them), its sweeper out of the way of the capture windows.
  const tap = await startPgTap({ host: server.hostname === 'localhost' ? '127.0.0.1' : server.hostname.replace(/^\[|\]$/g, ''), port: Number(server.port || 5432) });
  cleanup.tap = tap;
  const tappedUrl = new URL(dbUrl);
  tappedUrl.hostname = '127.0.0.1';
  tappedUrl.port = String(tap.port);
  let service = await startService({
    databaseUrl: tappedUrl.toString(),
    adminToken,
    credentialsKey,
    label: 'capture',
    logDir,
    workers: 1,
    extraEnv: { IDEMPOTENCY_SWEEP_INTERVAL_SECONDS: '86400' },
  });
  log('service (capture instance) ready; setting up two clients and their wallets through the API');
  const setup = await setUpThroughApi(service.baseUrl, adminToken, hook);
  const db = new pg.Client({ connectionString: dbUrl.toString(), application_name: 'ledgerline-bench' });
  db.on('error', (error) => log(`bench database connection: ${error.message}`));
  await db.connect();
  const capture = await captureStatements(tap, service.baseUrl, setup, db);
  await service.stop();
  cleanup.services.delete(service);
  await tap.close();
  cleanup.tap = null;
  const trips = (list) => list.map((c) => c.roundTrips).join(', ');
  log(
    `captured round trips: ${Object.entries(capture.captures).map(([kind, list]) => `${kind} ${trips(list)}`).join('; ')}; ` +
      `first replay ${capture.replay.roundTrips}, later replay ${capture.replayAgain.roundTrips}, wallet read ${capture.walletRead.roundTrips}`,
  );

  // 2. pgbench scripts and data.
  const limitDb = new pg.Client({ connectionString: limitUrl.toString(), application_name: 'ledgerline-bench' });
  limitDb.on('error', (error) => log(`limit database connection: ${error.message}`));
  await limitDb.connect();
  await resetLimitSchema(limitDb);
  const pgbenchClientId = randomUUID();
  await setUpPgbenchData(db, pgbenchClientId);
  const onServiceDb = { dbUrl: dbUrl.toString(), db, clientId: pgbenchClientId };
  const reference = referenceScript();
  const orderCapture = capture.captures.order.at(-1);
  const limitFile = path.join(LIMIT_DIR, 'limit_order.sql');
  const limitStatements = statementsOfScript(fs.readFileSync(limitFile, 'utf8'));
  const limit = {
    label: `pgbench, the machine's limit (limit.sh: ${limitStatements.length}-statement order, stand-in schema)`,
    file: limitFile,
    text: fs.readFileSync(limitFile, 'utf8'),
    statements: limitStatements,
    defines: [],
    dbUrl: limitUrl.toString(),
    db: limitDb,
    table: 'orders',
    clientId: null,
    fresh: () => resetLimitSchema(limitDb),
  };
  const scripts = {
    limit,
    // The same, sent as the service must send its statements: unnamed (no named prepared statement on request
    // connections, for PgBouncer in transaction mode), so parsed and planned on every call. A secondary figure.
    'limit-unnamed': { ...limit, label: "pgbench, the machine's limit sent unnamed (limit.sh's order, `-M extended`)", protocol: 'extended' },
    reference: {
      label: `pgbench, ${reference.statements.length}-statement order on the service's schema (order-reference.pgbench)`,
      file: path.join(RESULTS_DIR, 'order-reference.pgbench'),
      text: reference.text,
      statements: reference.statements,
      defines: [
        ['cid', pgbenchClientId],
        ['body', JSON.stringify(orderCapture.responseBody)],
      ],
      table: 'orders',
      ...onServiceDb,
    },
  };
  for (const [kind, name] of [['order', 'order-call'], ['transfer', 'transfer-call'], ['payout', 'payout-call'], ['deposit', 'deposit-call']]) {
    const captured = capture.captures[kind].at(-1);
    const generated = pgbenchScript(captured, { pgbenchClientId });
    scripts[name] = {
      label: `pgbench, the ${kind}'s own call (${captured.statements.map((s) => functionOf(s.text) ?? 'statement').join(', ')})`,
      file: path.join(RESULTS_DIR, `${kind}-call.pgbench`),
      statements: captured.statements,
      table: KINDS[kind].table,
      ...generated,
      ...onServiceDb,
    };
  }
  for (const [name, script] of Object.entries(scripts)) {
    if (script.file.startsWith(RESULTS_DIR)) fs.writeFileSync(script.file, script.text);
    // Every script must run clean before it counts: a few transactions, then the rows they wrote.
    const check = await runPgbench(script, { transactions: 3 });
    script.check = check;
    if (check.exitCode !== 0 || check.failed || check.rowsWritten !== 3 * config.connections) {
      throw new Error(`the ${name} pgbench script does not run clean (exit ${check.exitCode}, wrote ${check.rowsWritten} rows to ${script.table}):\n${check.stderr}`);
    }
  }
  log('pgbench scripts checked');

  // 3. Measurement instance: the service straight on PostgreSQL, WEB_CONCURRENCY=BENCH_WORKERS.
  service = await startService({ databaseUrl: dbUrl.toString(), adminToken, credentialsKey, label: 'bench', logDir });
  await primeService(service, setup);
  await sleep(500);
  const idleTree = service.tree();
  const idleRss = idleTree.map((pid) => (readRssKb(pid) ?? 0) / 1024);
  log(`service ready: ${idleTree.length} process(es) (WEB_CONCURRENCY=${config.workers}), idle RSS ${idleRss.map((mb) => mb.toFixed(0)).join(' + ')} MB`);
  // Two more instances, twins identical but for the request log, for its cost in the same rounds.
  const logOff = await startService({ databaseUrl: dbUrl.toString(), adminToken, credentialsKey, label: 'bench-log-off', logDir, extraEnv: { REQUEST_LOG_ENABLED: 'false' } });
  await primeService(logOff, setup);
  // Not the measured instance with the log on: by then it has served every other scenario (other JIT
  // feedback, a fuller heap), and a process's speed depends on what it has served.
  const logOn = await startService({ databaseUrl: dbUrl.toString(), adminToken, credentialsKey, label: 'bench-log-on', logDir, extraEnv: { REQUEST_LOG_ENABLED: 'true' } });
  await primeService(logOn, setup);
  const monitor = new pg.Client({ connectionString: config.serverUrl, application_name: 'ledgerline-bench-monitor' });
  monitor.on('error', (error) => log(`monitor connection: ${error.message}`));
  await monitor.connect();
  const sampler = new Sampler({ service, monitor, dbNames: [dbName, limitDbName], idle: [logOff, logOn] });
  const scenarios = scenarioDefinitions(setup);
  if (config.logWarmupSeconds > 0) {
    log(`both twins: ${config.logWarmupSeconds} s of first-time orders each before their first pairs`);
    for (const twin of [logOff, logOn]) await cannon({ ...cannonOptions(scenarios['orders-spread'], twin), duration: config.logWarmupSeconds });
  }
  const rounds = [];
  try {
    for (let round = 1; round <= config.rounds; round++) {
      const results = { round, order: [], service: {}, pgbench: {}, paired: {} };
      const sequence = round % 2 === 1 ? SEQUENCE : [...SEQUENCE].reverse();
      for (const [kind, name] of sequence) {
        if (!service.running) throw new Error(`the service exited during the run:\n${tail(service.logFile)}`);
        if (!logOff.running) throw new Error(`the log-off service exited during the run:\n${tail(logOff.logFile)}`);
        results.order.push(name);
        if (kind === 'service') {
          const scenario = scenarios[name];
          log(`round ${round}: ${scenario.label}`);
          const r = await runScenario(scenario, { service, sampler, db, setup, hook });
          results.service[name] = r;
          log(
            `  ${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, non-2xx ${r.non2xx}, ` +
              `node ${r.sample.cores.service?.toFixed(2)} cores, RSS peak ${r.sample.peakRssMb.toFixed(0)} MB/process, ${r.sample.peakRssTotalMb.toFixed(0)} MB in ${r.sample.processes}` +
              (r.webhook
                ? `; ${r.webhook.deliveredDuringRun} deliveries during the run, ${r.webhook.pendingAtStart} pending after it, ` +
                  `${r.webhook.drainedPerSecond.toFixed(0)}/s delivered in the next ${(r.webhook.drainMs / 1000).toFixed(1)} s, ${r.webhook.postponed} postponed`
                : ''),
          );
        } else if (kind === 'paired') {
          log(`round ${round}: request log on and off, ${config.logPairs} alternating pairs of ${config.logPairSeconds} s`);
          if (!logOn.running) throw new Error(`the log-on service exited during the run:\n${tail(logOn.logFile)}`);
          const r = await runRequestLogPairs(scenarios['orders-spread'], { on: logOn, off: logOff });
          results.paired[name] = r;
          log(`  on ${r.onPerSecond.toFixed(0)} req/s, off ${r.offPerSecond.toFixed(0)} req/s: ${r.ratio.toFixed(2)}`);
        } else {
          const script = scripts[name];
          log(`round ${round}: ${script.label}`);
          await script.fresh?.();
          if (config.warmupSeconds > 0) await runPgbench(script, { seconds: config.warmupSeconds });
          const r = await runPgbench(script, { seconds: config.seconds, sampler });
          results.pgbench[name] = r;
          if (r.exitCode !== 0) log(`  pgbench failed (exit ${r.exitCode}): ${r.stderr}`);
          else log(`  ${r.tps?.toFixed(0)} tps, latency avg ${r.latencyAvgMs} ms, failed ${r.failed}, aborted clients ${r.abortedClients}, rows written ${r.rowsWritten}`);
        }
      }
      rounds.push(results);
    }
  } finally {
    sampler.close();
    await monitor.end().catch(() => undefined);
  }
  for (const twin of [logOff, logOn]) {
    await twin.stop();
    cleanup.services.delete(twin);
  }

  // 4. After the run: the books must still balance, and the service must stop cleanly.
  const ledger = await call(service.baseUrl, 'GET', '/v1/admin/ledger/check', { headers: { authorization: `Bearer ${adminToken}` } }).catch((error) => ({
    status: 0,
    json: { error: String(error) },
  }));
  const { rows: [deliveries] } = await db.query(
    `SELECT count(*) FILTER (WHERE delivered)::int AS delivered, count(*) FILTER (WHERE NOT delivered)::int AS failed FROM webhook_deliveries WHERE client_id = $1`,
    [setup.webhook.clientId],
  );
  const { rows: [events] } = await db.query(`SELECT count(*)::int AS n FROM webhook_events WHERE client_id = $1`, [setup.webhook.clientId]);
  const lifetime = { processMb: sampler.lifetime.processKb / 1024, totalMb: sampler.lifetime.totalKb / 1024, processes: sampler.lifetime.processes };
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
      scenarios: ['health', 'replays', 'wallet-read', 'orders-spread', 'orders-webhook'].map((name) => scenarios[name]),
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
  await limitDb.end();
  await hook.close();
  cleanup.servers.clear();

  const loadAfter = machineLoad();
  const summary = summarise(rounds);
  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: commandLine(),
    source,
    config: { ...config, serverUrl: undefined, databaseServer: `${server.hostname}:${server.port || 5432}` },
    machine: { ...machineInfo(), postgres: postgresVersion, postgresConnectionsAtStart: connectionsAtStart, postgresSettings, loadBefore, loadAfter },
    serviceProcesses: { requested: config.workers, atStart: service.processesAtStart, idleRssMb: idleRss, quietAfterStart: service.quietAfterStart },
    capture: {
      kinds: Object.fromEntries(Object.entries(capture.captures).map(([kind, list]) => [kind, { label: KINDS[kind].label, captures: list.map(slimCapture) }])),
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
          protocol: protocolOf(script),
          statements: script.statements.map((s) => s.text.replace(/\s+/g, ' ').trim()),
          // With these (-D name=value) the script runs by hand against a copy of the data.
          defines: Object.fromEntries(script.defines),
          replaced: script.replaced ?? [],
          check: script.check,
        },
      ]),
    ),
    limitReset: LIMIT_RESET,
    rounds,
    summary: { ...summary, lifetime },
    webhookTotals: { events: events.n, ...deliveries, receivedByHook: hook.received },
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

/** `place_order` from `SELECT ... FROM place_order(p_client_id => $1, ...)`. */
function functionOf(text) {
  return /\bFROM\s+(\w+)\s*\(/i.exec(text)?.[1] ?? null;
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
      function: functionOf(s.text),
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
  for (const server of cleanup.servers) {
    server.closeAllConnections?.();
    server.close();
  }
  if (cleanup.tap) await cleanup.tap.close().catch(() => undefined);
  if (cleanup.adminDb) {
    for (const name of cleanup.dbNames) {
      await cleanup.adminDb
        .query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        .then(() => log(`database ${name} dropped`))
        .catch((error) => log(`could not drop ${name}: ${error.message}`));
    }
    await cleanup.adminDb.end().catch(() => undefined);
  }
}

// Bounded in time always: setup and capture, plus every round's scenarios and pgbench runs (and the
// webhook drain), twice over.
const perRoundSeconds =
  (SEQUENCE.length - 1) * (config.seconds + config.warmupSeconds + 8) + 2 * config.logPairs * (config.logPairSeconds + 1) + config.webhookDrainSeconds + 15;
const profileSeconds = (config.profileSeconds > 0 ? 5 * (config.profileSeconds + config.warmupSeconds + 10) + 90 : 0) + (config.coldStart ? 90 : 0);
const watchdogMs = (300 + 2 * (config.rounds * perRoundSeconds + profileSeconds + 2 * config.logWarmupSeconds)) * 1000;
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
