import { Client } from 'pg';
import { pick, seededRandom } from '../support/random';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { failedPayoutIds, incompleteIdempotencyRecords, queryOverFreshConnection, readBooks, recordedMovementIds, waitForPayoutsToSettle } from '../reliability/support/books';
import { bodyOf, HttpReply, send } from '../reliability/support/http';
import { checkLedger, createTenant, createWallet, LedgerReport, serviceEnv } from '../reliability/support/ledgerline';
import { chooseSeed, derivedSeed, sleep } from '../reliability/support/load-profile';
import { RetryTally, untilFinal } from '../reliability/support/retry';
import { stopServer } from '../reliability/support/servers';
import { compareWithAnswers, countOf, expectedBalances, fund, inParallel, Operation, replayMismatches, requestFor, Settled } from '../reliability/support/workload';
import { clusterNodes, isHealthy, killPostmaster, pollUntil, ReplicationMode, runningLeader, setReplicationMode } from './support/patroni';
import { FailoverFigures, ModeFigures, writeResults } from './support/results';

const FAILOVERS = 3;
const INSTANCES = 2;
const CLIENTS = 6;
/** A client's pause between two operations: a steady load, not a benchmark. */
const PACE_MS = 10;
/** Operations answered before the first failover, between two, and after the last. */
const WARM_UP_OPERATIONS = 100;
/** The load never exceeds this many operations per mode, whatever happens. */
const MAX_OPERATIONS = 8_000;
/** From a kill to a healthy cluster again (leader elected, old leader rewound and streaming). */
const RECOVERY_TIMEOUT_MS = 120_000;
const FUNDING = 1_000_000_000;
const DENOMINATIONS = [1000, 2500, 5000, 10000];
/** Ledger entries one movement writes: two legs; a payout two more when it settles or is refunded. */
const ENTRIES_PER_REFERENCE: Record<string, number> = { DEPOSIT: 2, ORDER: 2, TRANSFER: 2, PAYOUT: 4 };

/** One HTTP attempt of a logical operation, as its client saw it. */
interface Attempt {
  sentAt: number;
  doneAt: number;
  /** The status (with the error code for an error), or `network` for a refused, reset or timed-out exchange. */
  outcome: string;
  replayed: boolean;
}

interface Failover {
  killedNode: string;
  killedAt: number;
  newLeader: string;
  promotedMs: number;
  healthyMs: number;
}

/** What one mode's run left behind, for its assertions. */
interface ModeRun {
  figures: ModeFigures;
  lostKeys: string[];
  wrongAnswers: string[];
  keysMovedTwice: string[];
  referencesOffCount: string[];
  unansweredRows: string[];
  balances: { actual: Record<string, string>; expected: Record<string, string> };
  ledger: LedgerReport;
  incompleteRecords: number;
  replayMismatches: string[];
}

/**
 * test/ha/run.sh starts two PostgreSQL nodes under Patroni (etcd), HAProxy routing to the leader
 * by Patroni's health check and PgBouncer (transaction mode) in front of it. Two service instances
 * take a retried load of orders, transfers and payouts through it while the leader's postmaster is
 * SIGKILLed three times. Each mode is then read from the final leader's own database.
 */
describe('HA: the leader is killed under load', () => {
  const nodes = clusterNodes();
  const servers: ServerProcess[] = [];
  const results: ModeFigures[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => stopServer(server)));
  });
  afterAll(async () => {
    if (results.length > 0) await writeResults(results);
  });

  it('synchronous (strict): every acknowledged request survives three failovers, none is doubled', async () => {
    const run = await runFailovers('synchronous', servers);
    results.push(run.figures);
    expect(run.figures.failovers).toHaveLength(FAILOVERS);
    expect(run.lostKeys).toEqual([]);
    expectNothingDoubledOrWrong(run);
  }, 900_000);

  it('asynchronous: nothing is doubled; what was acknowledged and lost is counted', async () => {
    const run = await runFailovers('asynchronous', servers);
    results.push(run.figures);
    expect(run.figures.failovers).toHaveLength(FAILOVERS);
    expectNothingDoubledOrWrong(run);
  }, 900_000);

  function expectNothingDoubledOrWrong(run: ModeRun): void {
    // The load ran across every failover: fresh writes were acknowledged after each kill.
    expect(run.figures.failovers.filter((failover) => failover.writesBackMs === null)).toEqual([]);
    expect(run.wrongAnswers).toEqual([]);
    expect(run.figures.readOnlyRefusals).toBe(0);
    expect(run.keysMovedTwice).toEqual([]);
    expect(run.referencesOffCount).toEqual([]);
    expect(run.unansweredRows).toEqual([]);
    expect(run.balances.actual).toEqual(run.balances.expected);
    expect(run.ledger).toEqual({ ok: true, currencies: expect.any(Array), mismatches: [] });
    expect(run.incompleteRecords).toBe(0);
    expect(run.replayMismatches).toEqual([]);
  }

  async function runFailovers(mode: ReplicationMode, started: ServerProcess[]): Promise<ModeRun> {
    const startedAt = Date.now();
    const seed = chooseSeed(`ha-${mode}`);
    await setReplicationMode(nodes, mode);
    const database = `ledgerline_ha_${mode.slice(0, 5)}_${startedAt.toString(36)}`;
    await onDirect('postgres', (client) => client.query(`CREATE DATABASE ${database}`));
    // Requests go through PgBouncer; migrations and pg-boss (sessions) go to HAProxy directly.
    const env = serviceEnv(urlOf(process.env.HA_POOLER_URL, database), {
      DATABASE_DIRECT_URL: urlOf(process.env.HA_DIRECT_URL, database),
      PAYOUT_SETTLE_DELAY_MS: '0',
      // A settlement lost in a failover while its job's completion survived is requeued within seconds.
      PAYOUT_RECONCILE_INTERVAL_SECONDS: '5',
      LOG_LEVEL: 'error',
    });
    const boots = await Promise.allSettled(Array.from({ length: INSTANCES }, () => startServerProcess(env)));
    started.push(...boots.flatMap((boot) => (boot.status === 'fulfilled' ? [boot.value] : [])));
    const failedBoot = boots.find((boot) => boot.status === 'rejected');
    if (failedBoot) throw failedBoot.reason;
    const instances = [...started];
    // An instance that dies fails the run at once, with its last words, instead of leaving its clients retrying.
    const instanceDied = Promise.race(
      instances.map((instance, index) =>
        instance.exited.then((code) => {
          throw new Error(`service instance ${index} exited (code ${code}) during the run; its output (tail):\n${instance.output().slice(-4000)}`);
        }),
      ),
    );
    instanceDied.catch(() => undefined);
    const tenant = await createTenant(instances[0].baseUrl, `ha-${mode}`);
    const wallets = [
      await createWallet(instances[0].baseUrl, tenant, 'USD'),
      await createWallet(instances[0].baseUrl, tenant, 'USD'),
      await createWallet(instances[0].baseUrl, tenant, 'USD'),
    ];
    const fundings: Settled[] = [];
    for (const wallet of wallets) fundings.push(await fund(instances[0].baseUrl, tenant, wallet, FUNDING));

    const tally = new RetryTally();
    const attempts: Attempt[] = [];
    const settled: Settled[] = [];
    const failovers: Failover[] = [];
    let issued = 0;
    /** Set after the last failover: the load stops once this many operations have been answered. */
    let answeredTarget = Infinity;

    /** One attempt, on the instances in turn, timed and recorded. */
    const attempt = async (operation: Operation, client: number, attemptNumber: number) => {
      const sentAt = Date.now();
      const record = (outcome: string, replayed = false) => attempts.push({ sentAt, doneAt: Date.now(), outcome, replayed });
      try {
        const reply = await send(instances[(client + attemptNumber) % INSTANCES].baseUrl, requestFor(operation, tenant));
        record(outcomeOf(reply), reply.headers.get('idempotency-replayed') === 'true');
        return reply;
      } catch (error) {
        record('network');
        throw error;
      }
    };
    const keepLoading = () =>
      inParallel(CLIENTS, async (client, stopped) => {
        while (!stopped() && issued < MAX_OPERATIONS && settled.length < answeredTarget) {
          const index = issued++;
          const random = seededRandom(derivedSeed(seed, index));
          const operation = mixedOperation(random, `ha-${mode}-${seed}-${index}`, wallets);
          const policy = { random, maxAttempts: 1_000, giveUpAfterMs: 180_000, baseDelayMs: 20, maxDelayMs: 500 };
          const { reply } = await Promise.race([untilFinal((attemptNumber) => attempt(operation, client, attemptNumber), policy, tally), instanceDied]);
          settled.push({ operation, reply });
          await sleep(PACE_MS);
        }
      });
    let loadEnded = false;
    const answered = async (operations: number) => {
      const target = settled.length + operations;
      while (settled.length < target && !loadEnded) await sleep(10);
    };
    const failOverUnderLoad = async () => {
      try {
        for (let round = 0; round < FAILOVERS; round++) {
          await answered(WARM_UP_OPERATIONS);
          failovers.push(await killTheLeader());
        }
      } finally {
        answeredTarget = settled.length + WARM_UP_OPERATIONS;
      }
    };
    const killTheLeader = async (): Promise<Failover> => {
      await pollUntil(`a healthy ${mode} cluster before a kill`, RECOVERY_TIMEOUT_MS, () => isHealthy(nodes, mode));
      const leader = await runningLeader(nodes);
      if (!leader) throw new Error('no running leader to kill');
      await killPostmaster(leader);
      const killedAt = Date.now();
      let newLeader = '';
      const promotedMs = await pollUntil('a new leader', RECOVERY_TIMEOUT_MS, async () => {
        newLeader = (await runningLeader(nodes))?.name ?? '';
        return newLeader !== '' && newLeader !== leader.name;
      });
      const healthyMs = promotedMs + (await pollUntil(`${leader.name} to rejoin`, RECOVERY_TIMEOUT_MS, () => isHealthy(nodes, mode)));
      return { killedNode: leader.name, killedAt, newLeader, promotedMs, healthyMs };
    };

    // Both run to their end before a failure of either is reported: no kill outlives its run.
    const outcomes = await Promise.allSettled([keepLoading().finally(() => (loadEnded = true)), failOverUnderLoad()]);
    for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
    const loadMs = Date.now() - startedAt;

    // Everything is read from the final leader's own database, not through the proxies.
    const finalLeader = await runningLeader(nodes);
    if (!finalLeader) throw new Error('no running leader after the load');
    const query = queryOverFreshConnection(`postgres://postgres@127.0.0.1:${finalLeader.pgPort}/${database}`);
    await waitForPayoutsToSettle(query, 120_000).catch(async (error: Error) => {
      const jobs = await query(
        `SELECT state, retry_count, count(*)::int AS jobs, min(start_after) AS next_start FROM pgboss.job
          WHERE name = 'payout-settlement' AND state <> 'completed' GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      const pendingJobs = await query(
        `SELECT p.id, array_agg(j.state || '/' || j.retry_count ORDER BY j.created_on) AS jobs FROM payouts p
           LEFT JOIN pgboss.job j ON j.name = 'payout-settlement' AND j.data->>'payoutId' = p.id::text
          WHERE p.status = 'PENDING' GROUP BY p.id LIMIT 20`,
      );
      throw new Error(`${error.message}; settlement jobs not completed: ${JSON.stringify(jobs)}; PENDING payouts' jobs: ${JSON.stringify(pendingJobs)}`);
    });

    const all = [...fundings, ...settled];
    const discrepancies = compareWithAnswers(await recordedMovementIds(query), all);
    const lostIds = new Set(Object.values(discrepancies).flatMap((kind) => kind.lost));
    const isLost = (one: Settled) => one.reply.status === 201 && lostIds.has(bodyOf<{ id: string }>(one.reply).id);
    const survivors = all.filter((one) => !isLost(one));
    const keysMovedTwice = await query<{ key: string; rows: number }>(
      `SELECT key, count(*)::int AS rows FROM (
         SELECT metadata->>'key' AS key FROM orders UNION ALL SELECT metadata->>'key' FROM payouts UNION ALL SELECT description FROM transfers
       ) movements GROUP BY key HAVING count(*) > 1`,
    );
    const references = await query<{ reference_type: string; reference_id: string; entries: number }>(
      `SELECT reference_type, reference_id::text, count(*)::int AS entries FROM ledger_entries GROUP BY 1, 2`,
    );
    const referencesOffCount = references.filter((one) => one.entries !== ENTRIES_PER_REFERENCE[one.reference_type]);
    const books = await readBooks(query);
    // A payout's job is one row however often it is retried: a second row is a requeued stranded payout.
    const [{ requeued }] = await query<{ requeued: number }>(
      `SELECT count(*)::int AS requeued FROM (SELECT 1 FROM pgboss.job WHERE name = 'payout-settlement' GROUP BY data->>'payoutId' HAVING count(*) > 1) twice`,
    );
    const ledger = await checkLedger(instances[0].baseUrl);
    const replays = await replayMismatches(instances[1].baseUrl, tenant, survivors);
    const wrongAnswers = settled.filter(({ reply }) => reply.status !== 201);
    // PostgreSQL's refusal of a write on a standby: no connection may ever have reached a demoted node.
    const readOnlyRefusals = instances.reduce((count, instance) => count + (instance.output().match(/read-only transaction/g)?.length ?? 0), 0);

    const outcomesBetween = (from: number, to: number) =>
      countOf(attempts.filter((one) => one.sentAt >= from && one.sentAt <= to).map((one) => one.outcome));
    const inFlightAt = (moment: number) => countOf(attempts.filter((one) => one.sentAt < moment && one.doneAt > moment).map((one) => one.outcome));
    const failoverFigures: FailoverFigures[] = failovers.map((failover) => {
      // Sent once the new leader was seen: the dying primary may still commit what was in flight for a moment.
      const promotedAt = failover.killedAt + failover.promotedMs;
      const firstWrite = attempts
        .filter((one) => one.sentAt > promotedAt && one.outcome === '201' && !one.replayed)
        .reduce((earliest, one) => Math.min(earliest, one.doneAt), Infinity);
      return {
        killedNode: failover.killedNode,
        newLeader: failover.newLeader,
        promotedMs: failover.promotedMs,
        writesBackMs: Number.isFinite(firstWrite) ? firstWrite - failover.killedAt : null,
        healthyMs: failover.healthyMs,
        inFlightAtKill: inFlightAt(failover.killedAt),
        attemptsUntilHealthy: outcomesBetween(failover.killedAt, failover.killedAt + failover.healthyMs),
      };
    });
    const acknowledged = settled.filter((one) => one.reply.status === 201);
    const figures: ModeFigures = {
      mode,
      seed,
      clients: CLIENTS,
      instances: INSTANCES,
      operations: settled.length,
      byKind: countOf(settled.map((one) => one.operation.kind)),
      attempts: tally.attempts,
      retries: tally.retries,
      attemptOutcomes: countOf(attempts.map((one) => one.outcome)),
      failovers: failoverFigures,
      acknowledged: acknowledged.length,
      lost: acknowledged.filter(isLost).length,
      doubled: keysMovedTwice.length + referencesOffCount.length,
      readOnlyRefusals,
      payoutsSettled: books.movements.payout,
      settlementsRequeued: requeued,
      ledgerOk: ledger.ok,
      loadMs,
      totalMs: Date.now() - startedAt,
    };
    console.log(`[ha-${mode}] seed=${seed} ${tally} figures=${JSON.stringify(figures)}`);
    return {
      figures,
      lostKeys: all.filter(isLost).map((one) => `${one.operation.kind} ${one.operation.key}`),
      wrongAnswers: wrongAnswers.map(({ operation, reply }) => `${operation.kind} ${operation.key}: ${reply.status} ${reply.text}`),
      keysMovedTwice: keysMovedTwice.map((one) => `${one.key}: ${one.rows} rows`),
      referencesOffCount: referencesOffCount.map((one) => `${one.reference_type} ${one.reference_id}: ${one.entries} entries`),
      unansweredRows: Object.entries(discrepancies).flatMap(([kind, found]) => found.unanswered.map((id) => `${kind} ${id}`)),
      balances: { actual: books.balances, expected: expectedBalances(wallets, survivors, await failedPayoutIds(query)) },
      ledger,
      incompleteRecords: await incompleteIdempotencyRecords(query),
      replayMismatches: replays,
    };
  }
});

/** An answer's status, with its error code when it is an error: `201`, `500 INTERNAL_ERROR`. */
function outcomeOf(reply: HttpReply): string {
  if (reply.status < 400) return String(reply.status);
  try {
    return `${reply.status} ${(JSON.parse(reply.text) as { error: { code: string } }).error.code}`;
  } catch {
    return `${reply.status} without an error envelope`;
  }
}

/** `base` (a server URL from run.sh) naming `database`. */
function urlOf(base: string | undefined, database: string): string {
  if (!base) throw new Error('HA_POOLER_URL and HA_DIRECT_URL are set by test/ha/run.sh');
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Through HAProxy to whichever node leads. */
async function onDirect<T>(database: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: urlOf(process.env.HA_DIRECT_URL, database) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** An order, transfer or payout among the wallets, its key in its metadata or description; one payout in five fails at the rail. */
function mixedOperation(random: () => number, key: string, wallets: string[]): Operation {
  const from = pick(random, wallets);
  const to = pick(random, wallets.filter((wallet) => wallet !== from));
  const roll = random();
  if (roll < 0.4) {
    const body = { wallet_id: from, product_id: 123, denomination: pick(random, DENOMINATIONS), quantity: 1 + Math.floor(random() * 2), metadata: { key } };
    return { kind: 'order', key, path: '/v1/orders', body };
  }
  const amount = 1 + Math.floor(random() * 5000);
  if (roll < 0.7) return { kind: 'transfer', key, path: '/v1/transfers', body: { from_wallet_id: from, to_wallet_id: to, amount, description: key } };
  const account = `${random() < 0.2 ? 'FAIL' : 'ACCT'}-${Math.floor(random() * 1e9)}`;
  return { kind: 'payout', key, path: '/v1/payouts', body: { wallet_id: from, amount, destination: { type: 'bank_account', account_number: account }, metadata: { key } } };
}
