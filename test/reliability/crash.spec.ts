import { createTestDatabase, TestDatabase } from '../support/database';
import { pick, seededRandom } from '../support/random';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { incompleteIdempotencyRecords, recordedMovementIds } from './support/books';
import { bodyOf, HttpRequest, send } from './support/http';
import { checkLedger, createTenant, createWallet, serviceEnv } from './support/ledgerline';
import { chooseSeed, derivedSeed, scaled, sleep } from './support/load-profile';
import { RetryTally, untilFinal } from './support/retry';
import { stopServer } from './support/servers';
import {
  compareWithAnswers,
  countOf,
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

const ORDERS = scaled(300, 2500);
const KILLS = scaled(5, 40);
const CLIENTS = 8;
const FUNDING = 100_000_000;
const DENOMINATIONS = [1000, 2500, 5000, 10000];
/** Product 123 does not offer it: a refusal the service records (400), which must stay the answer across crashes. */
const UNOFFERED_DENOMINATION = 1234;
const CARRIERS = ['header', 'query', 'body'] as const;

/** A type, not an interface, so that it is a Record<string, unknown> as an Operation's body is. */
type OrderBody = {
  denomination: number;
  quantity: number;
  metadata: { logical_order: number };
};

interface OrderAnswer {
  amount: number;
  metadata: { logical_order: number } | null;
}

interface Kill {
  afterOrders: number;
  /** Connections of the service that were running a statement or holding a transaction open. */
  busyConnections: number;
  restartMs: number;
}

/**
 * A client places orders, each retried with its own key until a final answer, while the server is
 * SIGKILLed at random moments and restarted. Every logical order must exist exactly once, match
 * what its client was told, and the books must balance.
 */
describe('reliability: SIGKILL under load', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = serviceEnv(db.url);
  });
  afterAll(async () => {
    await stopServer(server);
    await db.drop();
  });

  it('places every logical order exactly once while the server is killed and restarted', async () => {
    const startedAt = Date.now();
    const seed = chooseSeed('crash');
    const random = seededRandom(seed);
    let live = await startServerProcess(env);
    server = live;
    const tenant = await createTenant(live.baseUrl, 'crash');
    const walletId = await createWallet(live.baseUrl, tenant, 'USD');
    const funding = await fund(live.baseUrl, tenant, walletId, FUNDING);

    const orders: Operation[] = Array.from({ length: ORDERS }, (_, index) => ({
      kind: 'order',
      key: `crash-${seed}-order-${index}`,
      path: '/v1/orders',
      body: { wallet_id: walletId, product_id: 123, ...orderBody(random, index) },
    }));
    // Kill moments, drawn up front: after a random share of the orders has been answered, plus a few ms.
    const killPoints = Array.from({ length: KILLS }, () => ({
      afterOrders: Math.floor(ORDERS * (0.05 + 0.85 * random())),
      extraDelayMs: Math.floor(random() * 50),
    })).sort((a, b) => a.afterOrders - b.afterOrders);

    const tally = new RetryTally();
    const faults: Record<string, number> = { 'drop-response': 0, 'fail-before-commit': 0, delay: 0 };
    const settled: Settled[] = [];
    const kills: Kill[] = [];
    let allAnswered = false;

    /** One attempt: the same order and key, through a carrier and with a sandbox fault chosen at random. */
    const attemptOf = (operation: Operation, attemptRandom: () => number): HttpRequest => {
      const carrier = pick(attemptRandom, CARRIERS);
      const roll = attemptRandom();
      const fault =
        roll < 0.06 ? 'drop-response' : roll < 0.1 ? 'fail-before-commit' : roll < 0.25 ? `delay=${20 + Math.floor(attemptRandom() * 180)}` : undefined;
      if (fault) faults[fault.startsWith('delay') ? 'delay' : fault]++;
      return {
        method: 'POST',
        path: carrier === 'query' ? `${operation.path}?client_order_id=${encodeURIComponent(operation.key)}` : operation.path,
        headers: {
          ...tenant.headers,
          ...(carrier === 'header' ? { 'idempotency-key': operation.key } : {}),
          ...(fault ? { 'x-sandbox-fault': fault } : {}),
        },
        body: carrier === 'body' ? { ...operation.body, accessTag: operation.key } : operation.body,
      };
    };

    const placeEveryOrder = async () => {
      let next = 0;
      await inParallel(CLIENTS, async (_client, stopped) => {
        while (next < orders.length && !stopped()) {
          const index = next++;
          const attemptRandom = seededRandom(derivedSeed(seed, index));
          const policy = { random: attemptRandom, maxAttempts: 1_000, giveUpAfterMs: 60_000, baseDelayMs: 20, maxDelayMs: 400 };
          // The server may have been replaced since the last attempt: always the current one's address.
          const { reply } = await untilFinal(() => send(live.baseUrl, attemptOf(orders[index], attemptRandom)), policy, tally);
          settled.push({ operation: orders[index], reply });
        }
      });
      allAnswered = true;
    };

    const killAtRandomMoments = async () => {
      for (const point of killPoints) {
        while (!allAnswered && settled.length < point.afterOrders) await sleep(5);
        await sleep(point.extraDelayMs);
        if (allAnswered) return;
        const [{ busy }] = await db.query<{ busy: string }>(
          `SELECT count(*) AS busy FROM pg_stat_activity
            WHERE datname = $1 AND application_name = 'ledgerline' AND state IN ('active', 'idle in transaction')`,
          [db.name],
        );
        const afterOrders = settled.length;
        live.child.kill('SIGKILL');
        await live.exited;
        const restartStarted = Date.now();
        live = await startServerProcess(env);
        server = live;
        kills.push({ afterOrders, busyConnections: Number(busy), restartMs: Date.now() - restartStarted });
      }
    };

    await Promise.all([placeEveryOrder(), killAtRandomMoments()]);
    const [{ balance }] = await db.query<{ balance: string }>('SELECT balance::text AS balance FROM wallets WHERE id = $1', [walletId]);
    console.log(
      `[crash] seed=${seed} orders=${ORDERS} clients=${CLIENTS} ${tally} faults=${JSON.stringify(faults)} ` +
        `finals=${JSON.stringify(statusCounts(settled.map((one) => one.reply)))} kills=${kills.length} ` +
        `kill_log=${JSON.stringify(kills)} balance=${balance} duration_ms=${Date.now() - startedAt}`,
    );
    expect(kills).toHaveLength(KILLS);

    // Every final answer is the one the contract gives for that order.
    const wrongAnswers = settled.filter(({ operation, reply }) => {
      const order = operation.body as OrderBody;
      if (order.denomination === UNOFFERED_DENOMINATION) {
        return reply.status !== 400 || bodyOf<{ error: { code: string } }>(reply).error.code !== 'VALIDATION_ERROR';
      }
      const answer = bodyOf<OrderAnswer>(reply);
      return reply.status !== 201 || answer.amount !== order.denomination * order.quantity || answer.metadata?.logical_order !== order.metadata.logical_order;
    });
    expect(wrongAnswers.map(({ operation, reply }) => `${operation.key}: ${reply.status} ${reply.text}`)).toEqual([]);

    // Each logical order exists at most once, and exactly the ones answered 201 exist.
    const copies = await db.query(
      `SELECT metadata->>'logical_order' AS logical_order, count(*)::int AS copies FROM orders GROUP BY 1 HAVING count(*) > 1`,
    );
    expect(copies).toEqual([]);
    const all = [funding, ...settled];
    expect(compareWithAnswers(await recordedMovementIds(db.query), all)).toEqual(NO_DISCREPANCY);

    // The wallet holds the funding less the sum of the distinct successful orders, and the books balance.
    expect({ [walletId]: balance }).toEqual(expectedBalances([walletId], all, new Set()));
    expect(await checkLedger(live.baseUrl)).toEqual({ ok: true, currencies: expect.any(Array), mismatches: [] });

    // The kills left nothing half-done: one complete record per logical order, and every retry replays.
    expect(await incompleteIdempotencyRecords(db.query)).toBe(0);
    const [{ records }] = await db.query<{ records: string }>(`SELECT count(*) AS records FROM idempotency_keys WHERE endpoint = 'POST /v1/orders'`);
    expect(Number(records)).toBe(ORDERS);
    expect(await replayMismatches(live.baseUrl, tenant, settled)).toEqual([]);
    console.log(`[crash] verified: ${settled.length} replays byte-identical, ledger balanced, total_ms=${Date.now() - startedAt}`);
  }, scaled(240_000, 900_000)); // a cap, not a duration: bounded mode shares two cores with the rest of npm test

  /*
   * A crashed instance comes back while its clients are all retrying, so its first requests arrive
   * together and can take every pooled connection. No request may then need a second connection
   * while it holds one, or they all wait for each other forever. A pool of one connection makes
   * that state certain instead of a matter of timing.
   */
  it('answers the first orders after a restart even when they hold every pooled connection', async () => {
    const startedAt = Date.now();
    if (server) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    const live = await startServerProcess({ ...env, DATABASE_POOL_SIZE: '1' });
    server = live;
    const tenant = await createTenant(live.baseUrl, 'first orders');
    const walletId = await createWallet(live.baseUrl, tenant, 'USD');
    await fund(live.baseUrl, tenant, walletId, FUNDING);

    const firstOrders: Operation[] = Array.from({ length: 4 }, (_, index) => ({
      kind: 'order',
      key: `first-order-${index}`,
      path: '/v1/orders',
      body: { wallet_id: walletId, product_id: 123, denomination: 1000, quantity: 1 },
    }));
    const tally = new RetryTally();
    const policy = { random: seededRandom(1), maxAttempts: 10, giveUpAfterMs: 10_000, baseDelayMs: 20, maxDelayMs: 400 };
    // All at once, with a short answer timeout: a request stuck for good is what this test looks for.
    const answers = await Promise.allSettled(
      firstOrders.map((operation) => untilFinal(() => send(live.baseUrl, requestFor(operation, tenant), 5_000), policy, tally)),
    );
    const outcomes = answers.map((answer) => (answer.status === 'fulfilled' ? String(answer.value.reply.status) : 'no final answer'));
    const firstFailure = answers.find((answer): answer is PromiseRejectedResult => answer.status === 'rejected')?.reason;
    console.log(
      `[crash] first orders after a restart: orders=${firstOrders.length} pool=1 ${tally} outcomes=${JSON.stringify(countOf(outcomes))} ` +
        `ms=${Date.now() - startedAt}${firstFailure ? ` first_failure=${firstFailure}` : ''}`,
    );
    expect(countOf(outcomes)).toEqual({ '201': firstOrders.length });
  }, 60_000);
});

/** A logical order of product 123; one in twenty asks for a denomination the product does not offer. */
function orderBody(random: () => number, index: number): OrderBody {
  return {
    denomination: random() < 0.05 ? UNOFFERED_DENOMINATION : pick(random, DENOMINATIONS),
    quantity: 1 + Math.floor(random() * 3),
    metadata: { logical_order: index },
  };
}
