import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pick, seededRandom } from '../support/random';
import { freePort, ServerProcess, startServerProcess } from '../support/server-process';
import {
  failedPayoutIds,
  incompleteIdempotencyRecords,
  queryOverFreshConnection,
  readBooks,
  recordedMovementIds,
  waitForPayoutsToSettle,
} from './support/books';
import { PostgresHost, startPostgresHost } from './support/embedded-database';
import { send } from './support/http';
import { checkLedger, createTenant, createWallet, readiness, serviceEnv } from './support/ledgerline';
import { chooseSeed, derivedSeed, scaled, sleep } from './support/load-profile';
import { RetryTally, untilFinal } from './support/retry';
import { stopServer } from './support/servers';
import {
  compareWithAnswers,
  expectedBalances,
  fund,
  inParallel,
  NO_DISCREPANCY,
  Operation,
  replayMismatches,
  requestFor,
  Settled,
  statusCounts,
} from './support/workload';

const RESTARTS = scaled(1, 6);
/** The load lasts at least this many operations, and until the last restart has recovered and been loaded again... */
const MIN_OPERATIONS = scaled(300, 2500);
/** ...and never beyond this many, whatever happens. */
const MAX_OPERATIONS = scaled(3000, 25_000);
/** Operations answered before the first restart, between two, and after the last. */
const WARM_UP_OPERATIONS = 60;
const CLIENTS = 6;
/** A client's pause between two operations: a steady load, not a CPU benchmark. */
const PACE_MS = 10;
const READINESS_POLL_MS = 100;
const DENOMINATIONS = [1000, 2500, 5000, 10000];

interface Restart {
  afterOperations: number;
  outageMs: number;
  /** /health/ready statuses seen while PostgreSQL was down, by status. */
  readinessDuringOutage: Record<string, number>;
  /** From PostgreSQL accepting connections again to /health/ready answering 200. */
  readyAgainAfterMs: number;
}

/**
 * PostgreSQL (a private one, on its own port and data directory) is restarted under a steady mixed
 * load. While it is down /health/ready says so; afterwards the same server process serves again,
 * and every logical request, retried with its key until a final answer, took effect exactly once.
 */
describe('reliability: the database restarts under load', () => {
  let dir: string;
  let postgres: PostgresHost | undefined;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerline-reliability-'));
    // As root the cluster runs as the postgres user, who must be able to reach the data directory.
    await chmod(dir, 0o755);
  });
  afterAll(async () => {
    await stopServer(server);
    await postgres?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('recovers without a server restart, reports not ready while down, and loses or doubles nothing', async () => {
    const startedAt = Date.now();
    const seed = chooseSeed('database-restart');
    const random = seededRandom(seed);
    const dataDir = join(dir, 'pg');
    const port = await freePort();
    postgres = await startPostgresHost(dataDir, port);
    const query = queryOverFreshConnection(postgres.url);
    // The server migrates the new database as it starts.
    const live = await startServerProcess(serviceEnv(postgres.url, { PAYOUT_SETTLE_DELAY_MS: '0' }));
    server = live;
    const tenant = await createTenant(live.baseUrl, 'restart');
    const wallets: [string, string] = [await createWallet(live.baseUrl, tenant, 'USD'), await createWallet(live.baseUrl, tenant, 'USD')];
    const settled: Settled[] = [];
    for (const wallet of wallets) settled.push(await fund(live.baseUrl, tenant, wallet, 5_000_000));

    const tally = new RetryTally();
    const restarts: Restart[] = [];
    let issued = 0;
    let restartsDone = false;

    const keepLoading = () =>
      inParallel(CLIENTS, async (_client, stopped) => {
        while (!stopped() && issued < MAX_OPERATIONS && !(restartsDone && issued >= MIN_OPERATIONS)) {
          const index = issued++;
          const operationRandom = seededRandom(derivedSeed(seed, index));
          const operation = mixedOperation(operationRandom, `restart-${seed}-${index}`, wallets);
          const policy = { random: operationRandom, maxAttempts: 1_000, giveUpAfterMs: 60_000, baseDelayMs: 20, maxDelayMs: 500 };
          const { reply } = await untilFinal(() => send(live.baseUrl, requestFor(operation, tenant)), policy, tally);
          settled.push({ operation, reply });
          await sleep(PACE_MS);
        }
      });

    const answered = async (operations: number) => {
      const target = settled.length + operations;
      while (settled.length < target && issued < MAX_OPERATIONS) await sleep(10);
    };
    const restartUnderLoad = async () => {
      try {
        for (let restart = 0; restart < RESTARTS; restart++) {
          await answered(WARM_UP_OPERATIONS);
          restarts.push(await restartDatabase());
        }
        await answered(WARM_UP_OPERATIONS);
      } finally {
        restartsDone = true;
      }
    };
    const restartDatabase = async (): Promise<Restart> => {
      expect(await readiness(live.baseUrl)).toBe(200);
      const afterOperations = settled.length;
      const outageMs = scaled(1500, 500 + Math.floor(random() * 2500));
      const stoppedAt = Date.now();
      await postgres?.stop();
      const readinessDuringOutage: Record<string, number> = {};
      while (Date.now() - stoppedAt < outageMs) {
        const status = await readiness(live.baseUrl);
        readinessDuringOutage[status] = (readinessDuringOutage[status] ?? 0) + 1;
        await sleep(READINESS_POLL_MS);
      }
      postgres = await startPostgresHost(dataDir, port);
      const restartedAt = Date.now();
      while ((await readiness(live.baseUrl)) !== 200) {
        if (Date.now() - restartedAt > 30_000) {
          const ready = await send(live.baseUrl, { method: 'GET', path: '/health/ready' }).catch((error: unknown) => String(error));
          throw new Error(
            `/health/ready did not recover within 30 s of the database restart: ${JSON.stringify(ready)}\n` +
              `server output (tail):\n${live.output().slice(-3000)}`,
          );
        }
        await sleep(READINESS_POLL_MS);
      }
      return { afterOperations, outageMs: restartedAt - stoppedAt, readinessDuringOutage, readyAgainAfterMs: Date.now() - restartedAt };
    };

    await Promise.all([keepLoading(), restartUnderLoad()]);
    const loadMs = Date.now() - startedAt;
    console.log(
      `[database-restart] seed=${seed} clients=${CLIENTS} ${tally} finals=${JSON.stringify(statusCounts(settled.map((one) => one.reply)))} ` +
        `restarts=${JSON.stringify(restarts)} load_ms=${loadMs}`,
    );

    // Not ready while the database was down (every poll answered, and answered 503); the same process serves again.
    expect(restarts.map((restart) => Object.keys(restart.readinessDuringOutage))).toEqual(restarts.map(() => ['503']));
    expect(live.child.exitCode).toBeNull();
    expect(await readiness(live.baseUrl)).toBe(200);

    // Every final answer is a success or a recorded refusal for want of funds; nothing else is expected.
    const unexpected = settled.filter(({ reply }) => reply.status !== 201 && !(reply.status === 422 && reply.text.includes('INSUFFICIENT_FUNDS')));
    expect(unexpected.map(({ operation, reply }) => `${operation.kind} ${operation.key}: ${reply.status} ${reply.text}`)).toEqual([]);

    // The settlement worker recovered too; then no effect is lost or doubled, and the books agree with the answers.
    await waitForPayoutsToSettle(query, 60_000);
    expect(compareWithAnswers(await recordedMovementIds(query), settled)).toEqual(NO_DISCREPANCY);
    const books = await readBooks(query);
    expect(books.balances).toEqual(expectedBalances(wallets, settled, await failedPayoutIds(query)));
    expect(await checkLedger(live.baseUrl)).toEqual({ ok: true, currencies: expect.any(Array), mismatches: [] });
    expect(await incompleteIdempotencyRecords(query)).toBe(0);
    expect(await replayMismatches(live.baseUrl, tenant, settled)).toEqual([]);
    console.log(
      `[database-restart] verified: ${settled.length} operations exactly once, ${books.movements.payout} payouts settled, ` +
        `replays byte-identical, ledger balanced, total_ms=${Date.now() - startedAt}`,
    );
  }, scaled(240_000, 900_000)); // a cap, not a duration: bounded mode shares two cores with the rest of npm test
});

/** A deposit, order, transfer or payout between the two wallets; one payout in five goes to an account the rail rejects. */
function mixedOperation(random: () => number, key: string, wallets: [string, string]): Operation {
  const [from, to] = random() < 0.5 ? wallets : [wallets[1], wallets[0]];
  const amount = 1 + Math.floor(random() * 5000);
  const roll = random();
  if (roll < 0.25) return { kind: 'deposit', key, path: `/v1/wallets/${from}/deposits`, body: { amount } };
  if (roll < 0.55) {
    const body = { wallet_id: from, product_id: 123, denomination: pick(random, DENOMINATIONS), quantity: 1 + Math.floor(random() * 2), metadata: { key } };
    return { kind: 'order', key, path: '/v1/orders', body };
  }
  if (roll < 0.8) return { kind: 'transfer', key, path: '/v1/transfers', body: { from_wallet_id: from, to_wallet_id: to, amount, description: key } };
  const account = `${random() < 0.2 ? 'FAIL' : 'ACCT'}-${Math.floor(random() * 1e9)}`;
  return { kind: 'payout', key, path: '/v1/payouts', body: { wallet_id: from, amount, destination: { type: 'bank_account', account_number: account } } };
}
