// Renders bench/results/latest.json as the stdout table and as bench/RESULTS.md.

export const TARGETS = {
  ordersVsPgbench: { min: 0.6, label: 'first-time orders / pgbench (the service\'s own statements)' },
  ordersVsReference: { min: 0.6, label: 'first-time orders / pgbench (reference shape: the writes only, PERFORMANCE.md)' },
  replaysVsHealth: { min: 0.5, label: 'replays / GET /health' },
  replaysVsWalletRead: { min: 1.0, label: 'replays / GET /v1/wallets/:id' },
  hotVsSpread: { min: 0.5, label: 'hot wallet / spread over 64 wallets' },
};
export const P99_MAX_MS = 30;
export const RSS_MAX_MB = 250;

const SCENARIO_LABELS = {
  health: 'GET /health',
  'wallet-read': 'GET /v1/wallets/:id (auth + one-row read)',
  'orders-spread': 'first-time orders, 64 wallets',
  'orders-hot': 'first-time orders, 1 hot wallet',
  replays: 'replays of one stored key',
};

const fixed = (value, digits = 0) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const micros = (cores, rate) => (typeof cores === 'number' && rate > 0 ? fixed((cores * 1e6) / rate) : 'n/a');
const met = (ok) => (ok === null ? 'n/a' : ok ? '**met**' : '**not met**');

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

function figuresTable(results) {
  const { service, pgbench } = results.summary;
  const rows = [['scenario (32 connections)', 'requests/s', 'p50 ms', 'p99 ms', 'errors (non-2xx etc.)', 'peak RSS MB']];
  for (const [name, s] of Object.entries(service)) {
    rows.push([SCENARIO_LABELS[name] ?? name, fixed(s.requestsPerSecond), fixed(s.p50Ms), fixed(s.p99Ms), errorText(s), fixed(s.peakRssMb)]);
  }
  for (const [name, p] of Object.entries(pgbench)) {
    const label = results.pgbenchScripts[name]?.label ?? name;
    const notes = [`${p.failed} failed, ${p.abortedClients} aborted clients`];
    if (p.runsWithoutResult) notes.push(`**${p.runsWithoutResult} run(s) without a result** (see latest.json)`);
    if (p.connectionRetries) notes.push(`${p.connectionRetries} start(s) retried: server out of connections`);
    rows.push([`${label} (tps)`, fixed(p.tps), `avg ${fixed(p.latencyAvgMs, 1)}`, '', notes.join('; '), '']);
  }
  return table(rows);
}

function targetRows(results) {
  const { ratios, perRound, service, lifetimePeakRssMb } = results.summary;
  const rows = [['target', 'measured (median of per-round ratios)', 'per round', 'target', 'status']];
  for (const [key, target] of Object.entries(TARGETS)) {
    const value = ratios[key];
    rows.push([target.label, fixed(value, 2), perRound.map((r) => fixed(r[key], 2)).join(', '), `≥ ${target.min}`, met(value === null ? null : value >= target.min)]);
  }
  for (const [name, s] of Object.entries(service)) {
    rows.push([`p99, ${SCENARIO_LABELS[name] ?? name}`, `${fixed(s.p99Ms)} ms`, results.rounds.map((r) => fixed(r.service[name]?.p99Ms)).join(', '), `≤ ${P99_MAX_MS} ms`, met(s.p99Ms <= P99_MAX_MS)]);
  }
  rows.push(['peak RSS of the service (whole run)', `${fixed(lifetimePeakRssMb)} MB`, '', `≤ ${RSS_MAX_MB} MB`, met(lifetimePeakRssMb <= RSS_MAX_MB)]);
  return table(rows);
}

export function renderTable(results) {
  return `${figuresTable(results)}\n\n${targetRows(results)}\n`;
}

function cpuTable(results) {
  const { service, pgbench } = results.summary;
  const rows = [['run', 'machine cores busy', 'service (node)', 'PostgreSQL backends (ours)', 'load generator', 'everything else', 'node µs/request', 'PostgreSQL µs/request']];
  for (const [name, s] of Object.entries(service)) {
    const c = s.cores;
    const other = c.machine - c.service - c.postgres - c.loadGenerator;
    rows.push([SCENARIO_LABELS[name] ?? name, fixed(c.machine, 2), fixed(c.service, 2), fixed(c.postgres, 2), fixed(c.loadGenerator, 2), fixed(other, 2), micros(c.service, s.requestsPerSecond), micros(c.postgres, s.requestsPerSecond)]);
  }
  for (const [name, p] of Object.entries(pgbench)) {
    const c = p.cores;
    const other = c.machine - c.postgres - c.loadGenerator;
    rows.push([results.pgbenchScripts[name]?.label ?? name, fixed(c.machine, 2), '', fixed(c.postgres, 2), fixed(c.loadGenerator, 2), fixed(other, 2), '', micros(c.postgres, p.tps)]);
  }
  return table(rows);
}

function statementsTable(captured) {
  const rows = [['#', 'statement', 'protocol', 'prepared statement', 'parsed on this call']];
  captured.statements.forEach((s, index) => {
    const text = s.text.length > 150 ? `${s.text.slice(0, 147)}...` : s.text;
    rows.push([String(index + 1), `\`${text.replace(/\|/g, '\\|')}\``, s.protocol, s.preparedStatement ?? '—', s.parsed ? 'yes' : 'no']);
  });
  return table(rows);
}

function roundsTable(results) {
  // Runs are stored in the order they ran, which differs between rounds: look each up by name.
  const names = Object.keys(results.summary.service);
  const scripts = Object.keys(results.summary.pgbench);
  const rows = [['round', ...names.map((n) => `${n} req/s`), ...scripts.map((n) => `pgbench ${n} tps`)]];
  for (const round of results.rounds) {
    rows.push([String(round.round), ...names.map((n) => fixed(round.service[n]?.requestsPerSecond)), ...scripts.map((n) => fixed(round.pgbench[n]?.tps))]);
  }
  return table(rows);
}

const pct = (share) => `${fixed(share * 100, 1)}%`;

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
  const rows = [['where (package or file)', ...names.map((name) => `${SCENARIO_LABELS[name] ?? name}: on stack / self`)]];
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
    `A separate instance of the service (so the figures above carry no profiler overhead), preloaded with \`bench/profile-hook.cjs\`,`,
    `profiled with V8's sampling profiler (0.5 ms interval) for ${results.config.profileSeconds} s of each load below. Shares are of the`,
    `Node process's busy (non-idle) samples. "On stack": samples with that package anywhere on the stack (so they overlap);`,
    `"self": samples whose innermost frame is in it ("node core" is Node's own JavaScript: streams, net, http, events, the microtask`,
    `queue; "(native)" is C++ and system calls such as \`writev\`, where loopback TCP sends are processed). Busy share of the profiled time: ${names.map((name) => `${SCENARIO_LABELS[name] ?? name} ${pct(profiles[name].busyShare)} at ${fixed(profiles[name].requestsPerSecond)} req/s`).join('; ')}.`,
    '',
    table(rows),
    '',
    functions,
  ].join('\n');
}

/** A statement in a few words: its verb and table. */
function count(n, noun) {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function shortStatement(text) {
  if (/^\s*SELECT\s+set_config\s*\(/i.test(text)) return 'set_config';
  if (/^\s*WITH\b/i.test(text)) {
    const main = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)/i.exec(text);
    if (main) return `${main[1].split(/\s+/)[0].toUpperCase()} ${main[2]} (in a CTE${/set_config\s*\(/i.test(text) ? ' with set_config' : ''})`;
  }
  const verb = /^\s*(\w+(?:\s+SAVEPOINT)?)/i.exec(text)?.[1]?.toUpperCase() ?? '?';
  const table = /\b(?:INTO|UPDATE|FROM)\s+"?(\w+)"?/i.exec(text)?.[1];
  return table ? `${verb} ${table}` : verb;
}

/** The service's RSS: idle after start, then each run's peak in the order the runs happened. */
function rssTrail(results) {
  const trail = [];
  // Scenarios were stored in the order they ran.
  for (const round of results.rounds) for (const name of Object.keys(round.service)) trail.push(`${name} ${fixed(round.service[name].sample.peakRssMb)}`);
  return trail;
}

function roundPeak(round) {
  return Math.max(...Object.values(round.service).map((run) => run.sample.peakRssMb));
}

function observations(results) {
  const out = [];
  if (results.coldStart?.stuck > 0) {
    out.push(
      `**A fresh process deadlocks under a burst of first-time orders** (see "Cold start under load"): ${results.coldStart.stuck} of ` +
        `${results.coldStart.orders} concurrent orders never answered, all ${results.coldStart.poolSize} pool connections idle in transaction ` +
        `waiting for the lazily loaded product catalogue. Not a throughput issue, but a restart under load takes an instance out for good.`,
    );
  }
  const { service, pgbench, ratios } = results.summary;
  const order = results.capture.orders.at(-1);
  const extended = order.statements.filter((s) => s.protocol === 'extended');
  const unnamed = extended.filter((s) => s.preparedStatement === '(unnamed)');
  const simple = order.statements.filter((s) => s.protocol === 'simple');
  const spread = service['orders-spread'];
  const exact = pgbench.exact;
  const reference = pgbench.reference;

  out.push(
    `**Round trips.** A first-time order costs **${count(order.roundTrips, 'round trip')}** to PostgreSQL ` +
      `(${count(order.statements.length, 'statement')}: ${simple.length} sent as simple queries, ${extended.length} with parameters), ` +
      `each a full wait on the network and on a PostgreSQL backend wake-up. ` +
      `PERFORMANCE.md measured the statement-by-statement NestJS shape at 0.12–0.18 of pgbench and the one-round-trip shapes ` +
      `(a CTE as a named prepared statement, or a SQL function) at 0.51–0.88.`,
  );
  if (unnamed.length === 0 && extended.length > 0) {
    const replayUnnamed = results.capture.replay.statements.filter((s) => s.preparedStatement === '(unnamed)');
    out.push(
      `**Planning.** All ${extended.length} parameterised statements of an order are named prepared statements, bound without a fresh ` +
        `Parse after warm-up (seen on the wire), so PostgreSQL does not re-plan them per order. ` +
        (simple.length
          ? `What remains per order is the ${simple.length} simple-protocol statements (${simple.map((s) => shortStatement(s.text)).join(', ')}), each a round trip of its own. `
          : '') +
        (replayUnnamed.length
          ? `A replay still sends ${replayUnnamed.length} statement(s) through the unnamed statement, parsed anew each time (${replayUnnamed.map((s) => shortStatement(s.text)).join(', ')}). `
          : '') +
        (exact?.cores && spread?.cores
          ? `PostgreSQL CPU per order: ≈${micros(spread.cores.postgres, spread.requestsPerSecond)} µs from the service against ` +
            `≈${micros(exact.cores.postgres, exact.tps)} µs for the same statements from pgbench.`
          : ''),
    );
  }
  if (unnamed.length > 0) {
    out.push(
      `**Re-planning.** ${unnamed.length} of the ${extended.length} parameterised statements of an order go through the ` +
        `*unnamed* prepared statement with a fresh Parse on every call (seen on the wire: Parse with an empty name before every Bind), ` +
        `so PostgreSQL parses, analyses and plans each of them on every order; pgbench in prepared mode plans each once per connection. ` +
        (exact?.cores && spread?.cores
          ? `PostgreSQL CPU per order: ≈${micros(spread.cores.postgres, spread.requestsPerSecond)} µs from the service against ` +
            `≈${micros(exact.cores.postgres, exact.tps)} µs for the same statements from pgbench.`
          : ''),
    );
  }
  if (spread?.cores) {
    out.push(
      `**Where the CPU goes.** The machine has ${results.machine.nproc} cores; during first-time orders ${fixed(spread.cores.machine, 2)} were busy: ` +
        `the service's Node process ${fixed(spread.cores.service, 2)} (≈${micros(spread.cores.service, spread.requestsPerSecond)} µs per order), ` +
        `its PostgreSQL backends ${fixed(spread.cores.postgres, 2)}, the load generator ${fixed(spread.cores.loadGenerator, 2)}. ` +
        `For comparison, Node spends ≈${micros(service.health?.cores.service, service.health?.requestsPerSecond)} µs per /health and ` +
        `≈${micros(service['wallet-read']?.cores.service, service['wallet-read']?.requestsPerSecond)} µs per authenticated wallet read, ` +
        `so the order path itself (validation, fingerprint, transaction handling, ${order.roundTrips} driver calls) costs ` +
        `the difference.`,
    );
  }
  const replay = results.capture.replay;
  const later = results.capture.replayAgain;
  const walletRead = results.capture.walletRead;
  out.push(
    `**Replays.** A first replay costs ${count(replay.roundTrips, 'round trip')} (${replay.statements.map((s) => shortStatement(s.text)).join(', ')}), ` +
      `a later replay of the same key ${later.roundTrips}, ` +
      `against ${walletRead.roundTrips} for the wallet read` +
      (later.roundTrips === 0 ? ': the measured scenario repeats one key, so it is answered from the replay cache. ' : '. ') +
      `Replays ran at ${fixed(ratios.replaysVsWalletRead, 2)} of the wallet read and ` +
      `${fixed(ratios.replaysVsHealth, 2)} of /health.`,
  );
  const hot = service['orders-hot'];
  if (hot) {
    const busy = hot.statusCodes['409'] ?? 0;
    out.push(
      `**Hot wallet.** One wallet ran at ${fixed(ratios.hotVsSpread, 2)} of the spread rate, with p99 ${fixed(hot.p99Ms)} ms: ` +
        `the ${results.config.connections} connections queue on the wallet's row lock, held from the debit to COMMIT, ` +
        (order.roundTrips === 1
          ? 'which is the rest of one statement: no round trip is waited on under the lock. '
          : `which spans ${order.roundTrips - order.statements.findIndex((s) => /UPDATE\s+wallets/i.test(s.text)) - 1} further round trips. `) +
        (busy ? `${busy} requests answered 409 (lock wait over IDEMPOTENCY_LOCK_WAIT_MS).` : 'No request waited past the lock timeout (no 409).'),
    );
  }
  if (reference && exact && reference.tps && exact.tps) {
    out.push(
      `**Which pgbench figure.** The service's own statements run in pgbench at ${fixed(exact.tps)} tps; the reference shape ` +
        `(PERFORMANCE.md's ${results.pgbenchScripts.reference.statements.length} statements, fixed in \`bench/order-reference.pgbench\`) at ${fixed(reference.tps)} tps. The issue's ratio uses the first; against the second ` +
        `(the shape PERFORMANCE.md's 2,600–4,200 tps was measured with) orders reach ${fixed(ratios.ordersVsReference, 2)}.`,
    );
  }
  const ordersProfile = results.profiles?.['orders-spread'];
  if (ordersProfile && !ordersProfile.error) {
    const notable = ordersProfile.inclusiveByPlace
      .filter((entry) => !entry.name.startsWith('(') && !entry.name.startsWith('node') && !entry.name.startsWith('ledgerline') && !entry.name.startsWith('@nestjs/core'))
      .slice(0, 8);
    const gc = ordersProfile.selfByPlace.find((entry) => entry.name === '(garbage collector)');
    out.push(
      `**Node's time per order, by library** (CPU profile, share of busy samples with the library on the stack): ` +
        `${notable.map((entry) => `\`${entry.name}\` ${pct(entry.share)}`).join(', ')}` +
        `${gc ? `; garbage collection ${pct(gc.share)} self` : ''}. See the profile section for the breakdown.`,
    );
  }
  const healthProfile = results.profiles?.health;
  const asyncHooks = (profile) => profile?.inclusiveByPlace?.find((entry) => entry.name === 'node:async_hooks')?.share;
  if (healthProfile && !healthProfile.error && asyncHooks(healthProfile) > 0.05) {
    out.push(
      `**Per-request framework cost.** Node spends ≈${micros(service.health?.cores.service, service.health?.requestsPerSecond)} µs of CPU on a /health that touches no database. ` +
        `In its profile, \`node:async_hooks\` (the promise hooks that AsyncLocalStorage needs; \`nestjs-pino\` and \`nestjs-cls\` use it) is on the stack in ` +
        `${pct(asyncHooks(healthProfile))} of busy samples (${pct(asyncHooks(ordersProfile) ?? NaN)} for orders), \`rxjs\` (Nest's interceptor chain) in ` +
        `${pct(healthProfile.inclusiveByPlace.find((entry) => entry.name === 'rxjs')?.share ?? NaN)}, \`@nestjs/core\` in ` +
        `${pct(healthProfile.inclusiveByPlace.find((entry) => entry.name === '@nestjs/core')?.share ?? NaN)}.`,
    );
  }
  const native = ordersProfile?.selfByPlace?.find((entry) => entry.name === '(native)')?.share;
  if (native > 0.2) {
    const writev = ordersProfile.selfByFunction.find((entry) => entry.name.startsWith('writev'))?.share;
    out.push(
      `**Round trips cost Node CPU too, not only latency.** ${pct(native)} of Node's busy time during orders is native code` +
        `${writev ? `, ${pct(writev)} in \`writev\` alone` : ''}: on loopback, the kernel delivers a TCP send to the receiving socket inside the ` +
        `sender's system call (typically), so each statement sent (${order.roundTrips} per order) and the HTTP response are paid for in the service's own CPU time.`,
    );
  }
  const { lifetimePeakRssMb, idleRssMb } = results.summary;
  if (lifetimePeakRssMb > RSS_MAX_MB) {
    out.push(
      `**Memory.** The service's RSS was ${fixed(idleRssMb)} MB idle after start and peaked at ${fixed(lifetimePeakRssMb)} MB ` +
        `(limit ${RSS_MAX_MB} MB). Peak per run, in the order they ran (MB): ${rssTrail(results).join(', ')}. ` +
        `The last round peaked at ${fixed(roundPeak(results.rounds.at(-1)))} MB against ${fixed(roundPeak(results.rounds[0]))} MB in the first` +
        (roundPeak(results.rounds.at(-1)) <= roundPeak(results.rounds[0]) * 1.1
          ? ` (within 10%): no steady climb across the run; the peaks come and go with the load. `
          : `: memory kept climbing through the run (a leak is possible). `) +
        `bench/HISTORY.md has an allocation profile and what V8's heap flags trade for memory.`,
    );
  }
  const health = service.health;
  if (health?.cores) {
    out.push(
      `**/health as a denominator.** During /health the load generator (autocannon, in this process) used ${fixed(health.cores.loadGenerator, 2)} cores ` +
        `and the service ${fixed(health.cores.service, 2)}: the two share ${results.machine.nproc} cores, so that figure is bounded by the machine, ` +
        `not by the service alone (PERFORMANCE.md says as much).`,
    );
  }
  return out.map((line) => `- ${line}`).join('\n');
}

function coldStartSection(results) {
  const c = results.coldStart;
  if (!c) return 'Not run (BENCH_COLD_START=0).';
  if (c.error) return `The check failed: ${c.error}`;
  const outcomes = Object.entries(c.outcomes).map(([status, count]) => `${count} × ${status}`).join(', ');
  const lines = [
    `A fresh process of the service (pool of ${c.poolSize}), its pool first filled by ${c.poolSize} concurrent wallet reads, then sent`,
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
    lines.push('', 'Every order was answered: no cold-start deadlock.');
  }
  return lines.join('\n');
}

function busyNote(results) {
  const before = results.machine.loadBefore;
  const after = results.machine.loadAfter;
  const others = Object.values(results.summary.service).map((s) => s.cores.machine - s.cores.service - s.cores.postgres - s.cores.loadGenerator);
  const maxOther = Math.max(...others.filter(Number.isFinite));
  const busy = before.loadAverage[0] > 0.5 || after.loadAverage[0] > 0.5 || before.otherTestRunners > 0 || after.otherTestRunners > 0 || maxOther > 0.2;
  const lines = [
    `Load average (1, 5, 15 min) before the run: ${before.loadAverage.join(', ')}; after: ${after.loadAverage.join(', ')}. ` +
      `Other test/build processes seen: ${before.otherTestRunners} before, ${after.otherTestRunners} after. ` +
      `CPU used by everything else during the service scenarios: up to ${fixed(maxOther, 2)} cores (see the CPU table).`,
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

/** `history` is bench/HISTORY.md: the changes made for speed, each with its before/after figures. */
export function renderReport(results, history) {
  const m = results.machine;
  const order = results.capture.orders.at(-1);
  const orderTrips = results.capture.orders.map((o) => o.roundTrips);
  const exactScript = results.pgbenchScripts.exact;
  const referenceScript = results.pgbenchScripts.reference;
  const replayChecks = Object.values(results.rounds).map((r) => r.service.replays?.replayCheck).filter(Boolean);
  const cutOff = results.rounds.flatMap((r) => ['orders-spread', 'orders-hot'].map((n) => r.service[n]?.ordersWrittenMinusAnswered)).filter((v) => v !== undefined);

  return `# Benchmark results

Generated by \`bench/run.mjs\`; do not edit by hand (run it again). Machine-readable: \`bench/results/latest.json\`.
How to read this file: \`bench/README.md\`.

## Command

\`\`\`
${results.command}
\`\`\`

Service measured: \`dist/\` built by that command from the working tree at ${results.source ?? 'unknown'}.

${results.config.rounds} interleaved rounds (round 1: service scenarios, then pgbench; round 2: pgbench first, scenarios in reverse order; and so on),
${results.config.seconds} s per measured run after a ${results.config.warmupSeconds} s warm-up, ${results.config.connections} connections,
pgbench \`-M prepared -c ${results.config.connections} -j ${results.config.pgbenchThreads}\`. Figures are medians over rounds; ratios are the medians of
ratios taken within each round. Started ${results.startedAt}, finished ${results.finishedAt}.

## Machine

| | |
|---|---|
| CPU | ${m.nproc} cores (\`nproc\`), ${m.cpuModel} |
| memory | ${m.totalMemoryMb} MB |
| OS | ${m.platform} |
| Node | ${m.node} |
| PostgreSQL | ${m.postgres} (loopback, server at ${results.config.databaseServer}); at the start ${m.postgresConnectionsAtStart.in_use} of its ${m.postgresConnectionsAtStart.max} connections were in use, across ${m.postgresConnectionsAtStart.databases} databases |
| load generators | autocannon ${m.autocannon} (in the harness's process), ${m.pgbench} |

${busyNote(results)}

## Figures

${figuresTable(results)}

Errors are every non-2xx response plus socket errors and timeouts, summed over the measured runs of all rounds.
Latencies are autocannon's (2xx responses only, 1 ms resolution); pgbench reports an average latency only.

Per round:

${roundsTable(results)}

## Targets

${targetRows(results)}

## Round trips per request

Counted on the wire: the first (capture) instance of the service ran with its \`DATABASE_URL\` pointed at a loopback proxy
(\`bench/pg-tap.mjs\`) that decodes the PostgreSQL protocol in both directions. One round trip is one \`ReadyForQuery\` the server
sends back to the service's pool connections (application_name \`ledgerline\`; pg-boss's connections are left out) between sending the
request and receiving its response, after five warm-up orders. The pg driver sends each query as Parse/Bind/Describe/Execute/Sync
(or one simple Query) and waits for \`ReadyForQuery\` before sending the next, so this is exactly the number of times the
request waits on PostgreSQL.

| request | round trips | statements | connections used |
|---|---|---|---|
| first-time order (3 captures) | ${orderTrips.join(', ')} | ${order.statements.length} | ${order.connections} |
| first replay of a stored key | ${results.capture.replay.roundTrips} | ${results.capture.replay.statements.length} | ${results.capture.replay.connections} |
| later replay of the same key | ${results.capture.replayAgain.roundTrips} | ${results.capture.replayAgain.statements.length} | ${results.capture.replayAgain.connections} |
| \`GET /v1/wallets/:id\` | ${results.capture.walletRead.roundTrips} | ${results.capture.walletRead.statements.length} | ${results.capture.walletRead.connections} |
| \`GET /health\` | ${results.capture.health.roundTrips} | ${results.capture.health.statements.length} | ${results.capture.health.connections} |

The statements of one first-time order, in the order the service sent them:

${statementsTable(order)}

## The pgbench limit

The exact script is generated from the captured order above (\`${exactScript.file}\`): the same SQL text,
with the parameters that name this one order replaced per transaction (a random 63-bit idempotency key, a time-ordered order id
computed from \`now()\` and the key, one of ${results.config.wallets} wallets of a pgbench-owned client chosen at random) and every other
parameter bound as the service bound it (through \`-D\` variables). The reference script is fixed (\`bench/order-reference.pgbench\`,
copied to \`${referenceScript.file}\`): the statement-by-statement service's order as captured at c7879b9, with the same per-transaction values. They run against the same database as the service, on their own
client and wallets. Each script first runs ${results.config.connections}×3 transactions as a check that every transaction commits
and writes its order (${exactScript.check.ordersWritten} and ${referenceScript.check.ordersWritten} orders written); over the measured runs pgbench reported
${Object.entries(results.summary.pgbench).map(([name, p]) => `${p.failed} failed transactions and ${p.abortedClients} aborted clients (${name})`).join(', ')}.

- **${exactScript.label}** (the issue's limit): ${exactScript.statements.length} statements.
- **${referenceScript.label}** (PERFORMANCE.md's "7 statements": BEGIN, claim, debit, order insert, ledger insert, record update, COMMIT):
  ${referenceScript.statements.length} statements, the limit PERFORMANCE.md's 2,600–4,200 tps was measured with, whatever shape the service has.

## Correctness while loaded

- Replays: ${replayChecks.map((c, index) => `round ${index + 1}: ${c.before.replayed}/${c.before.sampled} sampled before and ${c.after.replayed}/${c.after.sampled} after answered \`Idempotency-Replayed: true\`; ${c.ordersWritten} orders and ${c.keysWritten} keys were written during the replay run`).join('; ')}.
- First-time orders: orders committed minus 2xx answered, per measured run: ${cutOff.join(', ')} (counts taken once the server had
  finished; the difference is the requests cut off in flight when autocannon stopped, which commit without their answer being read:
  at most one per connection, ${results.config.connections}).
- Ledger check after the run (\`GET /v1/admin/ledger/check\`): HTTP ${results.ledgerCheck.status}, \`ok: ${results.ledgerCheck.body?.ok}\`.
- The service stopped on SIGTERM with exit code ${results.serviceExit.code}${results.serviceExit.signal ? ` (signal ${results.serviceExit.signal})` : ''}.

## CPU during each run

Medians over rounds. Service: \`/proc/<pid>/stat\` of the Node process. PostgreSQL: the backends of the bench database, by
application_name (\`ledgerline\` for the service, \`pgbench\` for pgbench), sampled every 500 ms. Load generator: the harness's
own process (autocannon) or the pgbench process. Everything else: the machine's busy time (\`/proc/stat\`) minus those.

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
