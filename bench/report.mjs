// Renders bench/results/latest.json as the stdout table and as bench/RESULTS.md.

/** Ratios measured within each round (median over rounds), with their targets. `decides`: the figure the service is judged by. */
export const TARGETS = {
  ordersVsLimit: { min: 0.6, label: "first-time orders / the machine's limit (limit.sh: 7-statement order, stand-in schema)", decides: true },
  transfersVsOwnCall: { min: 0.5, label: 'first-time transfers / pgbench running their own `transfer(...)` call' },
  payoutsVsOwnCall: { min: 0.5, label: 'first-time payouts / pgbench running their own `create_payout(...)` call' },
  depositsVsOwnCall: { min: 0.5, label: 'first-time deposits / pgbench running their own `deposit(...)` call' },
  webhookVsPlain: { min: 0.8, label: 'orders by a client with an `order.completed` webhook / orders without one' },
  readsVsOrders: { min: 2.0, label: 'GET /v1/wallets/:id / first-time orders' },
  replaysVsHealth: { min: 0.5, label: 'replays / GET /health' },
  replaysVsWalletRead: { min: 1.0, label: 'replays / GET /v1/wallets/:id' },
  hotVsSpread: { min: 0.5, label: 'orders on 1 hot wallet / orders spread over 64 wallets' },
  requestLogOnVsOff: {
    min: 0.9,
    label: 'first-time orders with the request log on / with it off (twin instances but for REQUEST_LOG_ENABLED), in alternating pairs of short runs',
  },
};
/** Shown beside the targets, not judged: other denominators for the same orders. */
export const SECONDARY = {
  ordersVsOwnCall: { label: 'first-time orders / pgbench running their own `place_order(...)` call' },
  ordersVsReference: { label: "first-time orders / the 7-statement order on the service's own schema (order-reference.pgbench)" },
};
export const P99_MAX_MS = 30;
export const RSS_PROCESS_MAX_MB = 250;
export const RSS_TOTAL_MAX_MB = 400;
/** Node CPU per first-time order before the one-call design (PERFORMANCE.md: ≈500 µs; RESULTS.md at 21690dc: 497 µs). */
export const NODE_MICROS_BEFORE = 497;
export const NODE_MICROS_AIM = 250;

const SCENARIO_LABELS = {
  'orders-spread': 'first-time orders, 64 wallets',
  'orders-webhook': 'first-time orders, 64 wallets, client with an order.completed webhook',
  'orders-hot': 'first-time orders, 1 hot wallet',
  transfers: 'first-time transfers between 64 wallets',
  payouts: 'first-time payouts, 64 wallets',
  deposits: 'first-time deposits, 64 wallets',
  'wallet-read': 'GET /v1/wallets/:id (auth + one-row read)',
  replays: 'replays of one stored key',
  health: 'GET /health',
};
const SHORT_LABELS = {
  'orders-spread': 'orders',
  'orders-webhook': 'orders+webhook',
  'orders-hot': 'orders hot',
  transfers: 'transfers',
  payouts: 'payouts',
  deposits: 'deposits',
  'wallet-read': 'wallet read',
  replays: 'replays',
  health: 'health',
  limit: 'limit',
  'order-call': 'order call',
  reference: 'reference',
  'transfer-call': 'transfer call',
  'payout-call': 'payout call',
  'deposit-call': 'deposit call',
};
/** Each operation scenario, the pgbench script of its own call, and the kind of request captured for it. */
const OWN_CALLS = [
  { scenario: 'orders-spread', script: 'order-call', kind: 'order', key: 'ordersVsOwnCall' },
  { scenario: 'transfers', script: 'transfer-call', kind: 'transfer', key: 'transfersVsOwnCall' },
  { scenario: 'payouts', script: 'payout-call', kind: 'payout', key: 'payoutsVsOwnCall' },
  { scenario: 'deposits', script: 'deposit-call', kind: 'deposit', key: 'depositsVsOwnCall' },
];

const fixed = (value, digits = 0) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const micros = (cores, rate) => (typeof cores === 'number' && rate > 0 ? fixed((cores * 1e6) / rate) : 'n/a');
const met = (ok) => (ok === null ? 'n/a' : ok ? '**met**' : '**not met**');
const label = (name) => SCENARIO_LABELS[name] ?? name;
const pct = (share) => `${fixed(share * 100, 1)}%`;

function errorText(s) {
  const codes = Object.entries(s.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${count}×${code}`);
  const parts = [...codes];
  if (s.socketErrors) parts.push(`${s.socketErrors} socket errors`);
  if (s.timeouts) parts.push(`${s.timeouts} timeouts`);
  return parts.length ? parts.join(', ') : '0';
}

function table(rows) {
  const [header, ...body] = rows;
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** How far a ratio is from its target, in words. */
function shortfall(value, min) {
  if (typeof value !== 'number') return 'not measured';
  if (value >= min) return `met (${fixed(value, 2)} ≥ ${min})`;
  return `not met: ${fixed(value, 2)} against ${min}, ${fixed((1 - value / min) * 100)}% short`;
}

function figuresTable(results) {
  const { service } = results.summary;
  const rows = [['scenario (32 connections)', 'requests/s', 'p50 ms', 'p99 ms', 'errors (non-2xx etc.)', 'node µs/request', 'peak RSS MB, largest process', 'peak RSS MB, all processes']];
  for (const [name, s] of Object.entries(service)) {
    rows.push([label(name), fixed(s.requestsPerSecond), fixed(s.p50Ms), fixed(s.p99Ms), errorText(s), fixed(s.nodeMicrosPerRequest), fixed(s.peakRssMb), `${fixed(s.peakRssTotalMb)} (${s.processes})`]);
  }
  return table(rows);
}

function pgbenchTable(results) {
  const { pgbench } = results.summary;
  const rows = [['pgbench (-M prepared -c 32 -j 2)', 'tps', 'latency avg ms', 'failed, aborted', 'PostgreSQL µs/transaction']];
  for (const [name, p] of Object.entries(pgbench)) {
    const notes = [`${p.failed} failed, ${p.abortedClients} aborted clients`];
    if (p.runsWithoutResult) notes.push(`**${p.runsWithoutResult} run(s) without a result** (see latest.json)`);
    if (p.connectionRetries) notes.push(`${p.connectionRetries} start(s) retried: server out of connections`);
    rows.push([results.pgbenchScripts[name]?.label ?? name, fixed(p.tps), fixed(p.latencyAvgMs, 1), notes.join('; '), micros(p.cores.postgres, p.tps)]);
  }
  return table(rows);
}

function targetRows(results) {
  const { ratios, perRound, service, lifetime } = results.summary;
  const rows = [['target', 'measured (median of per-round ratios)', 'per round', 'target', 'status']];
  const ratioRow = (key, target) => [
    target.decides ? `**${target.label} (the figure that decides)**` : target.label,
    fixed(ratios[key], 2),
    perRound.map((r) => fixed(r[key], 2)).join(', '),
    `≥ ${target.min}`,
    met(typeof ratios[key] === 'number' ? ratios[key] >= target.min : null),
  ];
  const p99Row = (name) => [
    `p99, ${label(name)}`,
    `${fixed(service[name]?.p99Ms)} ms`,
    results.rounds.map((r) => fixed(r.service[name]?.p99Ms)).join(', '),
    `≤ ${P99_MAX_MS} ms`,
    met(typeof service[name]?.p99Ms === 'number' ? service[name].p99Ms <= P99_MAX_MS : null),
  ];
  rows.push(ratioRow('ordersVsLimit', TARGETS.ordersVsLimit));
  if (service['orders-spread']) rows.push(p99Row('orders-spread'));
  rows.push([`peak RSS of any one service process (whole run, ${count(lifetime.processes, 'process')})`, `${fixed(lifetime.processMb)} MB`, '', `≤ ${RSS_PROCESS_MAX_MB} MB`, met(lifetime.processMb <= RSS_PROCESS_MAX_MB)]);
  rows.push([`peak RSS of all the service's processes together (whole run)`, `${fixed(lifetime.totalMb)} MB`, '', `≤ ${RSS_TOTAL_MAX_MB} MB`, met(lifetime.totalMb <= RSS_TOTAL_MAX_MB)]);
  for (const [key, target] of Object.entries(TARGETS)) if (!target.decides) rows.push(ratioRow(key, target));
  rows.push([
    `Node CPU per first-time order (all service processes; before the one-call design ≈${NODE_MICROS_BEFORE} µs)`,
    `${fixed(ratios.nodeMicrosPerOrder)} µs`,
    perRound.map((r) => fixed(r.nodeMicrosPerOrder)).join(', '),
    `≤ ${NODE_MICROS_AIM} µs (half)`,
    met(typeof ratios.nodeMicrosPerOrder === 'number' ? ratios.nodeMicrosPerOrder <= NODE_MICROS_AIM : null),
  ]);
  for (const name of Object.keys(service)) if (name !== 'orders-spread') rows.push(p99Row(name));
  for (const [key, secondary] of Object.entries(SECONDARY)) {
    rows.push([`${secondary.label} (secondary)`, fixed(ratios[key], 2), perRound.map((r) => fixed(r[key], 2)).join(', '), '—', 'not a target']);
  }
  return table(rows);
}

function headline(results) {
  const { ratios, service, pgbench } = results.summary;
  const spread = service['orders-spread'];
  const limit = pgbench.limit;
  return (
    `**First-time orders: ${fixed(spread?.requestsPerSecond)} requests/s against the machine's limit of ${fixed(limit?.tps)} tps ` +
    `(pgbench running limit.sh's 7-statement order on its stand-in schema, interleaved in the same rounds): ` +
    `${fixed(ratios.ordersVsLimit, 2)}, target ≥ ${TARGETS.ordersVsLimit.min}: ${shortfall(ratios.ordersVsLimit, TARGETS.ordersVsLimit.min)}. ` +
    `p99 ${fixed(spread?.p99Ms)} ms (target ≤ ${P99_MAX_MS} ms: ${typeof spread?.p99Ms === 'number' && spread.p99Ms <= P99_MAX_MS ? 'met' : 'not met'}).**`
  );
}

export function renderTable(results) {
  return `${headline(results)}\n\n${figuresTable(results)}\n\n${pgbenchTable(results)}\n\n${targetRows(results)}\n`;
}

/** Cores used by what is neither the service, its (or pgbench's) backends, the load generator, PostgreSQL's housekeeping, nor other databases. */
function unexplained(c) {
  return c.machine - (c.service ?? 0) - c.postgres - (c.jobs ?? 0) - c.loadGenerator - (c.housekeeping ?? 0) - (c.otherDatabases ?? 0);
}

function cpuTable(results) {
  const { service, pgbench } = results.summary;
  const rows = [[
    'run', 'machine cores busy', 'service (node, all processes)', 'PostgreSQL backends (requests)', 'PostgreSQL backends (job worker)', 'load generator',
    'PostgreSQL housekeeping', "other databases' backends", 'everything else', 'node µs/request', 'PostgreSQL µs/request',
  ]];
  for (const [name, s] of Object.entries(service)) {
    const c = s.cores;
    rows.push([
      label(name), fixed(c.machine, 2), fixed(c.service, 2), fixed(c.postgres, 2), fixed(c.jobs, 2), fixed(c.loadGenerator, 2),
      fixed(c.housekeeping, 2), fixed(c.otherDatabases, 2), fixed(unexplained(c), 2), micros(c.service, s.requestsPerSecond), micros(c.postgres + c.jobs, s.requestsPerSecond),
    ]);
  }
  for (const [name, p] of Object.entries(pgbench)) {
    const c = p.cores;
    rows.push([
      results.pgbenchScripts[name]?.label ?? name, fixed(c.machine, 2), `${fixed(c.service, 2)} (idle)`, fixed(c.postgres, 2), '', fixed(c.loadGenerator, 2),
      fixed(c.housekeeping, 2), fixed(c.otherDatabases, 2), fixed(unexplained(c), 2), '', micros(c.postgres, p.tps),
    ]);
  }
  return table(rows);
}

/** A statement in a few words: the function it calls, or its verb and table. */
function shortStatement(text) {
  const fn = /^\s*SELECT\b[\s\S]*?\bFROM\s+(\w+)\s*\(/i.exec(text)?.[1];
  if (fn) return `${fn}(...)`;
  const verb = /^\s*(\w+(?:\s+SAVEPOINT)?)/i.exec(text)?.[1]?.toUpperCase() ?? '?';
  const name = /\b(?:INTO|UPDATE|FROM)\s+"?(\w+)"?/i.exec(text)?.[1];
  return name ? `${verb} ${name}` : verb;
}

function count(n, noun) {
  return `${n} ${n === 1 ? noun : noun.endsWith('s') ? `${noun}es` : `${noun}s`}`;
}

/** Every captured request: its round trips, what it sent, and whether that is the one call expected of it. */
function roundTripRows(results) {
  const { kinds, replay, replayAgain, walletRead, health } = results.capture;
  const rows = [['request', 'round trips (each capture)', 'statements', 'what it sent', 'protocol, prepared statement, parsed on this call', 'expected', '']];
  const describe = (c) => {
    const sent = c.statements.map((s) => `\`${shortStatement(s.text)}\``).join(', ') || '—';
    const how = [...new Set(c.statements.map((s) => `${s.protocol}, ${s.preparedStatement ?? '—'}, ${s.parsed ? 'parsed' : 'bound only'}`))].join('; ') || '—';
    return [sent, how];
  };
  for (const [kind, { label: kindLabel, captures }] of Object.entries(kinds)) {
    const last = captures.at(-1);
    const ok = captures.every((c) => c.roundTrips === 1 && c.statements.length === 1 && c.statements[0].function);
    rows.push([kindLabel, captures.map((c) => c.roundTrips).join(', '), String(last.statements.length), ...describe(last), '1, one function call', ok ? 'ok' : '**differs**']);
  }
  rows.push(['first replay of a stored key', String(replay.roundTrips), String(replay.statements.length), ...describe(replay), '1', replay.roundTrips === 1 ? 'ok' : '**differs**']);
  rows.push(['later replay of the same key', String(replayAgain.roundTrips), String(replayAgain.statements.length), ...describe(replayAgain), '0 (replay cache)', replayAgain.roundTrips === 0 ? 'ok' : '**differs**']);
  rows.push(['`GET /v1/wallets/:id`', String(walletRead.roundTrips), String(walletRead.statements.length), ...describe(walletRead), '1', walletRead.roundTrips === 1 ? 'ok' : '**differs**']);
  rows.push(['`GET /health`', String(health.roundTrips), String(health.statements.length), ...describe(health), '0', health.roundTrips === 0 ? 'ok' : '**differs**']);
  return table(rows);
}

function roundsTable(results) {
  // Runs are stored in the order they ran, which differs between rounds: look each up by name.
  const names = Object.keys(results.summary.service);
  const scripts = Object.keys(results.summary.pgbench);
  const rows = [['round', ...names.map((n) => `${SHORT_LABELS[n] ?? n} req/s`), ...scripts.map((n) => `${SHORT_LABELS[n] ?? n} tps`)]];
  for (const round of results.rounds) {
    rows.push([String(round.round), ...names.map((n) => fixed(round.service[n]?.requestsPerSecond)), ...scripts.map((n) => fixed(round.pgbench[n]?.tps))]);
  }
  return table(rows);
}

function profileSection(results) {
  const profiles = results.profiles;
  if (!profiles) return 'Not taken (BENCH_PROFILE_SECONDS=0).';
  if (profiles.error) return `Profiling failed: ${profiles.error}`;
  const names = Object.keys(profiles).filter((name) => !profiles[name].error);
  // Node core and native frames sit under nearly every stack: only their self time says anything.
  const selfOnly = new Set(['node core', '(native)']);
  const places = new Map();
  for (const name of names) {
    for (const entry of profiles[name].inclusiveByPlace) if (!selfOnly.has(entry.name)) places.set(entry.name, Math.max(places.get(entry.name) ?? 0, entry.share));
    for (const entry of profiles[name].selfByPlace) places.set(entry.name, Math.max(places.get(entry.name) ?? 0, entry.share));
  }
  const ranked = [...places.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([place]) => place);
  const lookup = (list, place) => list.find((entry) => entry.name === place)?.share;
  const rows = [['where (package or file)', ...names.map((name) => `${label(name)}: on stack / self`)]];
  for (const place of ranked) {
    rows.push([
      `\`${place}\``,
      ...names.map((name) => {
        const inclusive = selfOnly.has(place) ? undefined : lookup(profiles[name].inclusiveByPlace, place);
        const self = lookup(profiles[name].selfByPlace, place);
        return `${inclusive === undefined ? '—' : pct(inclusive)} / ${self === undefined ? '—' : pct(self)}`;
      }),
    ]);
  }
  const ordersProfile = profiles['orders-spread'];
  const functions = ordersProfile && !ordersProfile.error
    ? table([['function (self time, first-time orders)', 'share of busy time'], ...ordersProfile.selfByFunction.map((entry) => [`\`${entry.name.replace(/\|/g, '\\|')}\``, pct(entry.share)])])
    : '';
  return [
    `A separate instance of the service, one process (WEB_CONCURRENCY=1: every worker runs the same code; the figures above carry no`,
    `profiler overhead), preloaded with \`bench/profile-hook.cjs\`, profiled with V8's sampling profiler (0.5 ms interval) for`,
    `${results.config.profileSeconds} s of each load below. Shares are of the Node process's busy (non-idle) samples. "On stack": samples with that`,
    `package anywhere on the stack (so they overlap); "self": samples whose innermost frame is in it ("node core" is Node's own JavaScript:`,
    `streams, net, http, events, the microtask queue; "(native)" is C++ and system calls such as \`writev\`, where loopback TCP sends are`,
    `processed). Busy share of the profiled time: ${names.map((name) => `${label(name)} ${pct(profiles[name].busyShare)} at ${fixed(profiles[name].requestsPerSecond)} req/s`).join('; ')}.`,
    '',
    table(rows),
    '',
    functions,
  ].join('\n');
}

/** The service's RSS: each run's peaks (largest process / all processes), in the order the runs happened. */
function rssTrail(results) {
  const trail = [];
  for (const round of results.rounds) {
    for (const name of round.order ?? Object.keys(round.service)) {
      const run = round.service[name];
      if (run) trail.push(`${SHORT_LABELS[name] ?? name} ${fixed(run.sample.peakRssMb)}/${fixed(run.sample.peakRssTotalMb)}`);
    }
  }
  return trail;
}

function roundPeak(round) {
  return Math.max(...Object.values(round.service).map((run) => run.sample.peakRssTotalMb));
}

/** The processes that serve: the workers of a cluster (its primary only supervises), or the one process. */
function servingProcesses(results) {
  const seen = results.serviceProcesses?.atStart ?? 1;
  return seen > 1 ? seen - 1 : 1;
}

function observations(results) {
  const out = [];
  const { service, pgbench, ratios } = results.summary;
  const kinds = results.capture.kinds;
  const spread = service['orders-spread'];
  const limit = pgbench.limit;
  const nproc = results.machine.nproc;

  if (results.coldStart?.stuck > 0) {
    out.push(
      `**A fresh process does not answer a burst of first-time orders** (see "Cold start under load"): ${results.coldStart.stuck} of ` +
        `${results.coldStart.orders} concurrent orders never answered. Not a throughput issue, but a restart under load takes an instance out.`,
    );
  }

  const processes = results.serviceProcesses;
  if (processes) {
    const perProcess = results.rounds.map((r) => r.service['orders-spread']?.sample.cores.serviceProcesses).find(Boolean) ?? [];
    if (processes.requested > 1 && processes.atStart <= 1) {
      out.push(
        `**One process measured.** The service was started with WEB_CONCURRENCY=${processes.requested}, but ran as ${count(processes.atStart, 'process')}: ` +
          `this build does not read WEB_CONCURRENCY yet, so every figure here is one Node process on ${nproc} cores.`,
      );
    } else {
      out.push(
        `**Processes.** WEB_CONCURRENCY=${processes.requested}: ${processes.atStart > 1 ? `${count(processes.atStart, 'process')} (the primary and its workers)` : 'one process'}, ` +
          `idle RSS ${processes.idleRssMb.map((mb) => fixed(mb)).join(' + ')} MB. During first-time orders (one round) they used ` +
          `${perProcess.map((c) => fixed(c, 2)).join(' + ')} cores.`,
      );
    }
  }

  if (spread?.cores && limit?.tps) {
    const c = spread.cores;
    const other = c.machine - c.service - c.postgres - c.jobs - c.loadGenerator;
    const others = (c.otherDatabases ?? 0) + unexplained(c);
    const perOrder = (cores) => micros(cores, spread.requestsPerSecond);
    const limitBudget = (nproc * 1e6) / limit.tps;
    out.push(
      `**Where an order's CPU goes.** The machine has ${nproc} cores. At the limit, pgbench keeps them ${fixed(limit.cores.machine, 2)} busy for ` +
        `${fixed(limit.tps)} orders/s: ≈${fixed(limitBudget)} µs of machine time per order, ≈${micros(limit.cores.postgres, limit.tps)} µs of it in PostgreSQL. ` +
        `During the service's first-time orders ${fixed(c.machine, 2)} cores were busy, per order: Node ${perOrder(c.service)} µs, ` +
        `its PostgreSQL backends ${perOrder(c.postgres)} µs, the load generator (autocannon, in the harness) ${perOrder(c.loadGenerator)} µs, everything else ${perOrder(other)} µs ` +
        `(PostgreSQL's housekeeping ${perOrder(c.housekeeping)}, other people's work on this machine ${perOrder(others)}). ` +
        (c.machine >= nproc * 0.9
          ? `The machine was saturated, so throughput is CPU per order: reaching ${TARGETS.ordersVsLimit.min} of the limit needs ≤ ${fixed(limitBudget / TARGETS.ordersVsLimit.min)} µs ` +
            `of machine time per order in all, against ≈${perOrder(c.machine)} µs now.`
          : `The machine was not saturated (${fixed(c.machine, 2)} of ${nproc} cores): something other than CPU (a lock, a pool, one busy thread) sets the rate.`),
    );
    // What the service would reach if Node cost nothing: the machine's time per order without Node's.
    const withoutNode = (c.machine - c.service) / spread.requestsPerSecond;
    if (withoutNode > 0) {
      const ceiling = nproc / withoutNode / limit.tps;
      const reference = pgbench.reference;
      const own = pgbench['order-call'];
      out.push(
        `**PostgreSQL's share of an order.** Without Node's CPU, an order still costs the machine ≈${fixed(withoutNode * 1e6)} µs (PostgreSQL ${perOrder(c.postgres + c.jobs)} µs, ` +
          `the load generator and the rest the remainder): even a Node process that cost nothing would reach ≈${fixed(ceiling, 2)} of the limit` +
          (ceiling < TARGETS.ordersVsLimit.min ? `, short of ${TARGETS.ordersVsLimit.min}: the target cannot be met by Node alone. ` : '. ') +
          `PostgreSQL's cost per order, measured by pgbench on its own: limit.sh's 7 statements on the stand-in schema ≈${micros(limit.cores.postgres, limit.tps)} µs; ` +
          `the same 7 statements on the service's schema ≈${micros(reference?.cores.postgres, reference?.tps)} µs (uuid keys, foreign keys, more indexes, larger rows); ` +
          `the service's \`place_order\` call ≈${micros(own?.cores.postgres, own?.tps)} µs (the PL/pgSQL function: its statements, the jsonb answer and event, ` +
          `no \`EXCEPTION\` block, so no subtransaction); from the service ≈${perOrder(c.postgres)} µs.`,
      );
    }
  }

  const firstTime = Object.entries(kinds).map(([kind, k]) => ({ kind, label: k.label, c: k.captures.at(-1) }));
  const allOne = firstTime.every(({ c }) => c.roundTrips === 1 && c.statements.length === 1 && c.statements[0].function);
  const unnamedParsed = firstTime.every(({ c }) => c.statements.every((s) => s.preparedStatement === '(unnamed)' && s.parsed));
  out.push(
    allOne
      ? `**Round trips.** Every first-time money request is one round trip: one unnamed statement \`SELECT outcome, ... FROM <fn>(p_name => $n, ...)\` ` +
          `(${firstTime.map(({ kind, c }) => `${kind}: \`${c.statements[0].function}\``).join(', ')}), and so is the first replay. ` +
          (unnamedParsed
            ? 'Each is parsed on every call (Parse with an empty name, seen on the wire); what PostgreSQL parses and plans anew is only the ' +
              'function call itself: PL/pgSQL caches the plans of the statements inside per server connection, so nothing in them is re-planned per request. '
            : '') +
          `PostgreSQL CPU per request against pgbench running the same call: ${OWN_CALLS.filter((o) => service[o.scenario] && pgbench[o.script])
            .map((o) => `${o.kind} ≈${micros(service[o.scenario].cores.postgres, service[o.scenario].requestsPerSecond)} µs against ≈${micros(pgbench[o.script].cores.postgres, pgbench[o.script].tps)} µs`)
            .join(', ')}.`
      : `**Round trips.** Not every first-time money request is one call: ${firstTime.map(({ kind, c }) => `${kind} ${count(c.roundTrips, 'round trip')} (${c.statements.map((s) => shortStatement(s.text)).join(', ')})`).join('; ')}.`,
  );

  const ownCalls = OWN_CALLS.filter((o) => o.key !== 'ordersVsOwnCall' && service[o.scenario] && pgbench[o.script]);
  if (ownCalls.length) {
    out.push(
      `**Each operation against its own call.** ${ownCalls
        .map((o) => {
          const s = service[o.scenario];
          return `${o.kind}s ${fixed(s.requestsPerSecond)} req/s against ${fixed(pgbench[o.script].tps)} tps, ${fixed(ratios[o.key], 2)} (Node ${fixed(s.nodeMicrosPerRequest)} µs per request)`;
        })
        .join('; ')}. ` +
        `Orders, for comparison: ${fixed(ratios.ordersVsOwnCall, 2)} of \`place_order\` in pgbench. A call pgbench runs alone uses both cores for PostgreSQL; ` +
        `the service's request shares them with Node and the load generator, so each of these ratios is bounded by how much of the machine Node needs per request.`,
    );
  }

  const webhook = service['orders-webhook'];
  if (webhook && spread) {
    const w = webhook.webhook ?? {};
    out.push(
      `**Orders with a webhook subscriber** ran at ${fixed(ratios.webhookVsPlain, 2)} of orders without one (${fixed(webhook.requestsPerSecond)} against ${fixed(spread.requestsPerSecond)} req/s; ` +
        `target ≥ ${TARGETS.webhookVsPlain.min}): the same one call, whose \`outbox_emit\` also writes the event and a pg-boss job per order; the job worker in the ` +
        `service then makes each delivery (reads, an HTTP POST to the bench's receiver, a delivery row) while orders keep coming. ` +
        `The receiver got ${fixed(w.deliveredPerSecond)} deliveries/s during the measured run, against ${fixed(webhook.requestsPerSecond)} orders/s: ` +
        (w.pendingAtEnd === 0
          ? 'the worker kept up, with no delivery queued at the end of any round. '
          : `at its end ${fixed(w.pendingAtEnd)} deliveries were queued (the most over the rounds). Draining for up to ${results.config.webhookDrainSeconds} s with no load, the worker delivered ` +
            `${fixed(w.drainedPerSecond)}/s (${fixed(w.drainedPerSecond / servingProcesses(results))}/s per serving process)` +
            `${w.postponed ? `; the ${w.postponed} still queued then (all rounds) were postponed a week, so as not to run into the next measurement` : ''}. ` +
            `Any sustained rate of subscribed orders above that delivery rate grows the backlog without bound. `) +
        `Node CPU per order: ${fixed(webhook.nodeMicrosPerRequest)} µs with the subscriber (deliveries included), ${fixed(spread.nodeMicrosPerRequest)} µs without.`,
    );
  }

  const read = service['wallet-read'];
  if (read && spread) {
    out.push(
      `**Reads.** \`GET /v1/wallets/:id\` (authentication from the credentials cache, one indexed read through TypeORM) ran at ${fixed(read.requestsPerSecond)} req/s, ` +
        `${fixed(ratios.readsVsOrders, 2)}× first-time orders (target ≥ ${TARGETS.readsVsOrders.min}×); Node ${fixed(read.nodeMicrosPerRequest)} µs per read against ` +
        `${fixed(spread.nodeMicrosPerRequest)} µs per order and ${fixed(service.health?.nodeMicrosPerRequest)} µs per \`/health\`.`,
    );
  }

  const replay = results.capture.replay;
  const later = results.capture.replayAgain;
  out.push(
    `**Replays.** A first replay costs ${count(replay.roundTrips, 'round trip')} (${replay.statements.map((s) => `\`${shortStatement(s.text)}\``).join(', ') || 'none'}: ` +
      `the same call, which finds the record and returns it), a later replay of the same key ${later.roundTrips}` +
      (later.roundTrips === 0 ? ': the measured scenario repeats one key, so it is answered from the replay cache. ' : '. ') +
      `Replays ran at ${fixed(ratios.replaysVsWalletRead, 2)} of the wallet read and ${fixed(ratios.replaysVsHealth, 2)} of /health.`,
  );

  const hot = service['orders-hot'];
  if (hot) {
    const busy = hot.statusCodes['409'] ?? 0;
    out.push(
      `**Hot wallet.** One wallet ran at ${fixed(ratios.hotVsSpread, 2)} of the spread rate, with p99 ${fixed(hot.p99Ms)} ms: the requests queue on the wallet's ` +
        `row lock, held from the debit to the end of the one call. ` +
        (busy ? `${busy} requests answered 409 (lock wait over IDEMPOTENCY_LOCK_WAIT_MS).` : 'No request waited past the lock timeout (no 409).'),
    );
  }

  if (pgbench.reference?.tps && limit?.tps) {
    out.push(
      `**Which pgbench figure.** The limit that decides is limit.sh's (${fixed(limit.tps)} tps, ${results.pgbenchScripts.limit.statements.length} statements on a ` +
        `minimal stand-in schema: no foreign keys, bigint wallet ids, fewer indexes). The same 7 statements on the service's own schema ` +
        `(\`bench/order-reference.pgbench\`) ran at ${fixed(pgbench.reference.tps)} tps (orders ${fixed(ratios.ordersVsReference, 2)} of it), and ` +
        `the service's own \`place_order\` call at ${fixed(pgbench['order-call']?.tps)} tps (orders ${fixed(ratios.ordersVsOwnCall, 2)}).`,
    );
  }

  const ordersProfile = results.profiles?.['orders-spread'];
  if (ordersProfile && !ordersProfile.error) {
    const notable = ordersProfile.inclusiveByPlace
      .filter((entry) => !entry.name.startsWith('(') && !entry.name.startsWith('node') && !entry.name.startsWith('ledgerline') && !entry.name.startsWith('@nestjs/core'))
      .slice(0, 8);
    const gc = ordersProfile.selfByPlace.find((entry) => entry.name === '(garbage collector)');
    const asyncHooks = ordersProfile.inclusiveByPlace.find((entry) => entry.name === 'node:async_hooks')?.share;
    const native = ordersProfile.selfByPlace.find((entry) => entry.name === '(native)')?.share;
    const writev = ordersProfile.selfByFunction.find((entry) => entry.name.startsWith('writev'))?.share;
    out.push(
      `**Node's time per order, by library** (CPU profile of one process, share of busy samples with the library on the stack): ` +
        `${notable.map((entry) => `\`${entry.name}\` ${pct(entry.share)}`).join(', ')}` +
        `${gc ? `; garbage collection ${pct(gc.share)} self` : ''}` +
        `${asyncHooks ? `; \`node:async_hooks\` (the promise hooks AsyncLocalStorage needs, for nestjs-cls) on the stack in ${pct(asyncHooks)}` : ''}` +
        `${native ? `; native code ${pct(native)} self${writev ? `, \`writev\` alone ${pct(writev)} (on loopback a TCP send is delivered to the receiver inside the sender's system call, so the call sent to PostgreSQL and the HTTP answer are paid in the service's CPU)` : ''}` : ''}. ` +
        'See the profile section for the breakdown. V8\'s profiler samples wall-clock time: a sample that lands while the thread waits for a core ' +
        'inside a system call (on 2 saturated cores, typically behind the PostgreSQL backend that call just woke) counts in that call, so `writev`\'s share ' +
        'overstates its CPU; the µs per request above are CPU time from `/proc`.',
    );
    const errors = ordersProfile.selfByFunction.filter((entry) => /\b(ApiError|DomainError|\w+Error) \(ledgerline/.test(entry.name) || /refusalAnswer/.test(entry.name));
    if (errors.length) {
      out.push(
        `**Refusals prepared on every order.** ${errors.map((entry) => `\`${entry.name}\` ${pct(entry.share)}`).join(', ')} of busy time, self: each order builds ` +
          'the error objects of every refusal its call may answer (and their rendered bodies, sent as `p_refusals` on every call), though almost no order is refused.',
      );
    }
  }

  const { lifetime } = results.summary;
  const overProcess = lifetime.processMb > RSS_PROCESS_MAX_MB;
  const overTotal = lifetime.totalMb > RSS_TOTAL_MAX_MB;
  out.push(
    `**Memory.** Peak RSS of the largest service process ${fixed(lifetime.processMb)} MB (≤ ${RSS_PROCESS_MAX_MB}: ${overProcess ? 'not met' : 'met'}), of all ` +
      `${count(lifetime.processes, 'process')} together ${fixed(lifetime.totalMb)} MB (≤ ${RSS_TOTAL_MAX_MB}: ${overTotal ? 'not met' : 'met'}); ` +
      `idle after start ${processes ? processes.idleRssMb.map((mb) => fixed(mb)).join(' + ') : 'n/a'} MB. Peak per run (largest process / all, MB), in the order they ran: ` +
      `${rssTrail(results).join(', ')}. ` +
      (results.rounds.length > 1
        ? `The last round peaked at ${fixed(roundPeak(results.rounds.at(-1)))} MB in all against ${fixed(roundPeak(results.rounds[0]))} MB in the first` +
          (roundPeak(results.rounds.at(-1)) <= roundPeak(results.rounds[0]) * 1.1 ? ' (within 10%): no steady climb across the run.' : ': memory kept climbing through the run (a leak is possible).')
        : '') +
      (overProcess || overTotal ? ' bench/HISTORY.md has an allocation profile and what V8\'s heap flags trade for memory.' : ''),
  );

  const health = service.health;
  if (health?.cores) {
    out.push(
      `**/health as a denominator.** During /health the load generator (autocannon, in the harness's process) used ${fixed(health.cores.loadGenerator, 2)} cores ` +
        `and the service ${fixed(health.cores.service, 2)}: the two share ${nproc} cores, so that figure is bounded by the machine, ` +
        `not by the service alone (PERFORMANCE.md says as much).`,
    );
  }
  return out.map((line) => `- ${line}`).join('\n');
}

function coldStartSection(results) {
  const c = results.coldStart;
  if (!c) return 'Not run (BENCH_COLD_START=0).';
  if (c.error) return `The check failed: ${c.error}`;
  const outcomes = Object.entries(c.outcomes).map(([status, n]) => `${n} × ${status}`).join(', ');
  const lines = [
    `A fresh process of the service (WEB_CONCURRENCY=1, pool of ${c.poolSize}), its pool first filled by ${c.poolSize} concurrent wallet reads, then sent`,
    `${c.orders} concurrent first-time orders before it had served any order: ${outcomes} (${fixed(c.elapsedMs)} ms).`,
  ];
  if (c.stuck > 0) {
    lines.push(
      '',
      `**${c.stuck} of ${c.orders} orders never answered.** The service's connections, seen in \`pg_stat_activity\` afterwards:`,
      '',
      table([['connections', 'state', 'last statement'], ...c.activity.map((row) => [String(row.connections), row.state, `\`${row.query.replace(/\|/g, '\\|')}\``])]),
      '',
      `\`GET /health/ready\` then answered ${c.readyStatus}; on SIGTERM the process ${c.shutdown === 'killed' ? 'did not exit within 10 s and was killed' : 'exited'}.`,
    );
  } else {
    lines.push('', 'Every order was answered.');
  }
  return lines.join('\n');
}

function busyNote(results) {
  const before = results.machine.loadBefore;
  const after = results.machine.loadAfter;
  const runs = [...Object.values(results.summary.service), ...Object.values(results.summary.pgbench)];
  const others = runs.map((s) => (s.cores.otherDatabases ?? 0) + unexplained(s.cores));
  const maxOther = Math.max(...others.filter(Number.isFinite));
  const busy = before.loadAverage[0] > 0.5 || after.loadAverage[0] > 0.5 || before.otherTestRunners > 0 || after.otherTestRunners > 0 || maxOther > 0.2;
  const lines = [
    `Load average (1, 5, 15 min) before the run: ${before.loadAverage.join(', ')}; after: ${after.loadAverage.join(', ')}. ` +
      `Other test, build or load processes seen (jest, tsc, nest build, pgbench, a service from dist/, autocannon): ${before.otherTestRunners} before, ${after.otherTestRunners} after. ` +
      `CPU used by other people's work during the runs (other databases' backends and everything unexplained): up to ${fixed(maxOther, 2)} cores (see the CPU table).`,
  ];
  if (busy) {
    lines.push(
      '',
      '**These figures were taken on a shared, busy machine**: other processes (other engineers\' tests, builds and probes) ' +
        `used the same ${results.machine.nproc} cores during the run. Absolute rates are depressed and noisy; the ratios, measured side by side in ` +
        'interleaved rounds, are the figures to read.',
    );
  }
  lines.push('', 'Busiest processes at the start:', '', '```', ...before.busiest, '```');
  return lines.join('\n');
}

function pgbenchSection(results) {
  const scripts = results.pgbenchScripts;
  const { pgbench } = results.summary;
  const calls = Object.entries(scripts).filter(([name]) => name.endsWith('-call'));
  const checks = Object.entries(scripts).map(([name, s]) => `${SHORT_LABELS[name] ?? name} ${s.check.rowsWritten}`).join(', ');
  return [
    `- **The machine's limit** (\`${scripts.limit.file}\`, the figure first-time orders are judged by): pgbench running \`../shared/limit/limit.sh\`'s`,
    `  order, ${scripts.limit.statements.length} statements (BEGIN, claim, guarded debit, order row, two ledger legs, recorded response, COMMIT), on its minimal`,
    `  stand-in schema (\`bench/limit/limit_schema.sql\`, 10,000 wallets of which the script spreads over 64, plus limit.sh's 100 stored replays), in a`,
    `  database of its own created fresh before each round's run, exactly as limit.sh runs it (\`-n -M prepared -c ${results.config.connections} -j ${results.config.pgbenchThreads}\`)`,
    `  but interleaved with the service in the same rounds and after the same warm-up as every other run. The .sql files are copies of`,
    '  `../shared/limit/`, so the bench runs without `../shared`.',
    `- **Each operation's own call** (${calls.map(([, s]) => `\`${s.file}\``).join(', ')}): generated from the call the service sent for that request,`,
    '  captured on the wire: the same statement text, with the values that name one request made per transaction (' +
      `${[...new Set(calls.flatMap(([, s]) => s.replaced))].map((n) => `\`${n}\``).join(', ')}: a random 63-bit key, a time-ordered id from \`now()\` and the key,`,
    `  one of ${results.config.wallets} wallets of a pgbench-owned client at random, for a transfer a different second one) and every other parameter`,
    '  bound as the service bound it, through `-D` variables (in `latest.json`, under `pgbenchScripts.<name>.defines`); timestamps, the recorded',
    '  answer and the event stay as captured. They run in the service\'s own database, on their own client and wallets.',
    `- **The 7-statement order on the service's own schema** (\`bench/order-reference.pgbench\`, copied to \`${scripts.reference.file}\`): the statement-by-statement`,
    '  service\'s order as captured at c7879b9 (less the `response_headers` column, dropped since), a secondary comparison.',
    '',
    `Each script first ran ${results.config.connections}×3 transactions as a check that every transaction commits and writes its row (${checks} rows written).`,
    `Over the measured runs pgbench reported ${Object.entries(pgbench).map(([name, p]) => `${p.failed} failed and ${p.abortedClients} aborted (${SHORT_LABELS[name] ?? name})`).join(', ')}.`,
  ].join('\n');
}

function correctnessSection(results) {
  const replayChecks = results.rounds.map((r) => r.service.replays?.replayCheck).filter(Boolean);
  const writers = ['orders-spread', 'orders-webhook', 'orders-hot', 'transfers', 'payouts', 'deposits'];
  const cutOff = writers
    .map((name) => [name, results.rounds.map((r) => r.service[name]?.rowsWrittenMinusAnswered).filter((v) => v !== undefined)])
    .filter(([, values]) => values.length)
    .map(([name, values]) => `${SHORT_LABELS[name]} ${values.join(', ')}`);
  const w = results.webhookTotals;
  return [
    `- Replays: ${replayChecks.map((c, index) => `round ${index + 1}: ${c.before.replayed}/${c.before.sampled} sampled before and ${c.after.replayed}/${c.after.sampled} after answered \`Idempotency-Replayed: true\`; ${c.ordersWritten} orders and ${c.keysWritten} keys were written during the replay run`).join('; ')}.`,
    `- First-time requests: rows committed minus 2xx answered, per measured run: ${cutOff.join('; ')} (counts taken once the server had finished;`,
    '  the difference is the requests cut off in flight when autocannon stopped, which commit without their answer being read: at most one per',
    `  connection, ${results.config.connections}).`,
    `- Webhooks: ${w.events} \`order.completed\` events written for the webhook client, ${w.delivered} deliveries acknowledged and ${w.failed} failed attempts logged; the bench's receiver answered ${w.receivedByHook} POSTs.`,
    `- Payouts: PAYOUT_SETTLE_DELAY_MS=${results.config.payoutSettleDelayMs}, so no payout settled during the run (the payout figures are the request: debit, payout row, ledger legs and the settlement job enqueued).`,
    `- Ledger check after the run (\`GET /v1/admin/ledger/check\`, pgbench's writes included): HTTP ${results.ledgerCheck.status}, \`ok: ${results.ledgerCheck.body?.ok}\`.`,
    `- The service stopped on SIGTERM with exit code ${results.serviceExit.code}${results.serviceExit.signal ? ` (signal ${results.serviceExit.signal})` : ''}.`,
  ].join('\n');
}

/** `history` is bench/HISTORY.md: the changes made for speed, each with its before/after figures. */
export function renderReport(results, history) {
  const m = results.machine;
  const order = results.capture.kinds.order.captures.at(-1);
  const orderText = order.statements[0]?.text ?? '';
  return `# Benchmark results

Generated by \`bench/run.mjs\`; do not edit by hand (run it again). Machine-readable: \`bench/results/latest.json\`.
How to read this file: \`bench/README.md\`.

${headline(results)}

## Command

\`\`\`
${results.command}
\`\`\`

Service measured: \`dist/\` built by that command from the working tree at ${results.source ?? 'unknown'}; run with
NODE_ENV=${results.config.nodeEnv} (production refuses a loopback webhook URL), WEB_CONCURRENCY=${results.config.workers}
(${count(results.serviceProcesses?.atStart ?? 1, 'process')} seen), DATABASE_POOL_SIZE=${results.config.poolSize} per process, the rate limit lifted,
PAYOUT_SETTLE_DELAY_MS=${results.config.payoutSettleDelayMs}.

${results.config.rounds} interleaved rounds (odd rounds run the sequence forwards, even rounds backwards), ${results.config.seconds} s per measured run after a
${results.config.warmupSeconds} s warm-up, ${results.config.connections} connections, pgbench \`-n -M prepared -c ${results.config.connections} -j ${results.config.pgbenchThreads}\`. Figures are medians over rounds;
ratios are the medians of ratios taken within each round. Started ${results.startedAt}, finished ${results.finishedAt}.

## Machine

| | |
|---|---|
| CPU | ${m.nproc} cores (\`nproc\`), ${m.cpuModel} |
| memory | ${m.totalMemoryMb} MB |
| OS | ${m.platform} |
| Node | ${m.node} |
| PostgreSQL | ${m.postgres} (loopback, server at ${results.config.databaseServer}); at the start ${m.postgresConnectionsAtStart.in_use} of its ${m.postgresConnectionsAtStart.max} connections were in use, across ${m.postgresConnectionsAtStart.databases} databases |
| load generators | autocannon ${m.autocannon} (in the harness's process, with the webhook receiver), ${m.pgbench} |

${busyNote(results)}

## Targets

${targetRows(results)}

## Figures

${figuresTable(results)}

${pgbenchTable(results)}

Errors are every non-2xx response plus socket errors and timeouts, summed over the measured runs of all rounds. Latencies are
autocannon's (2xx responses only, 1 ms resolution); pgbench reports an average latency only. Node µs/request: CPU time (utime + stime
from \`/proc\`) of all the service's processes during the run, divided by the 2xx answers. Peak RSS: \`VmRSS\` of each process of the
service's tree (the primary and its workers, found through \`/proc/<pid>/task/*/children\`), sampled every 100 ms; the number of processes
seen is in brackets.

Per round:

${roundsTable(results)}

## Round trips per request

Counted on the wire: the first (capture) instance of the service (one process) ran with its \`DATABASE_URL\` pointed at a loopback proxy
(\`bench/pg-tap.mjs\`) that decodes the PostgreSQL protocol in both directions. One round trip is one \`ReadyForQuery\` the server
sends back to the service's pool connections (application_name \`ledgerline\`; pg-boss's \`ledgerline-jobs\` connections are left out,
and webhook deliveries were drained before each capture) between sending the request and receiving its response, after warm-up
requests of every kind. The pg driver sends each query as Parse/Bind/Describe/Execute/Sync and waits for \`ReadyForQuery\` before sending
the next, so this is exactly the number of times the request waits on PostgreSQL.

${roundTripRows(results)}

The call of one first-time order, as the service sent it:

\`\`\`sql
${orderText}
\`\`\`

## The pgbench figures

${pgbenchSection(results)}

## Correctness while loaded

${correctnessSection(results)}

## CPU during each run

Medians over rounds. Service: \`/proc/<pid>/stat\` of every process of its tree. PostgreSQL: the backends of the bench's databases, by
application_name (\`ledgerline\` for the service's requests, \`ledgerline-jobs\` for its job worker, \`pgbench\` for pgbench), sampled every
500 ms. Load generator: the harness's own process (autocannon and the webhook receiver) or the pgbench process. Everything else: the
machine's busy time (\`/proc/stat\`) minus those.

${cpuTable(results)}

## Cold start under load

${coldStartSection(results)}

## Where the Node process spends its time

${profileSection(results)}

## What stands between the service and the targets

Observations from this run, with the evidence above; nothing in \`src/\` was changed to obtain them.

${observations(results)}

## What was changed to approach the targets

Copied from \`bench/HISTORY.md\`, kept by hand: each change with the figures measured before and after it.

${demoteHeadings(history)}`;
}

/** HISTORY.md's title dropped and its sections nested one level under this report's section. */
function demoteHeadings(markdown) {
  return markdown.replace(/^# .*\n+/, '').replace(/^(#{2,}) /gm, '#$1 ');
}
