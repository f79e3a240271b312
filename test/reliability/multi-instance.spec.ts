import { createTestDatabase, TestDatabase } from '../support/database';
import { seededRandom } from '../support/random';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { Books, failedPayoutIds, readBooks, waitForPayoutsToSettle } from './support/books';
import { bodyOf, HttpReply, send } from './support/http';
import { checkLedger, createTenant, createWallet, serviceEnv, Tenant } from './support/ledgerline';
import { chooseSeed, derivedSeed, scaled } from './support/load-profile';
import { stopServer } from './support/servers';
import { FinalAnswer, RetryTally, untilFinal } from './support/retry';
import { balanceChanges, fund, Operation, requestFor } from './support/workload';

const INSTANCES = 3;
const STORM_SIZE = scaled(300, 600);
const ROUNDS = scaled(1, 5);
/** A held storm: the executing request keeps its transaction open this long, so the duplicates queue on the key. */
const HOLD = 'delay=250';

type StormKind = 'deposit' | 'order' | 'transfer' | 'payout' | 'failed payout';
const STORM_KINDS: readonly StormKind[] = ['deposit', 'order', 'transfer', 'payout', 'failed payout'];
/** Ledger entries one movement writes: two legs; a payout two more when it settles or is refunded. */
const ENTRIES_PER_STORM: Record<StormKind, number> = { deposit: 2, order: 2, transfer: 2, payout: 4, 'failed payout': 4 };

interface StormReport {
  kind: StormKind;
  held: boolean;
  requests: number;
  ms: number;
  /** The instance whose copy executed; every other copy, on every instance, got its replay. */
  executedOnInstance: number;
}

/**
 * Three server processes on one database. A storm of identical requests (same key, same body),
 * spread across them and sent at once, must move money exactly once, and every client must get
 * the same 201 body, byte for byte.
 */
describe('reliability: three instances, one database', () => {
  let db: TestDatabase;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => stopServer(server)));
    await db.drop();
  });

  it('moves money once per storm of identical requests and answers every one identically', async () => {
    const startedAt = Date.now();
    const seed = chooseSeed('multi-instance');
    // The instances boot at once, as a deployment's replicas do; one that fails still lets afterAll stop the rest.
    const boots = await Promise.allSettled(Array.from({ length: INSTANCES }, () => startServerProcess(serviceEnv(db.url, { PAYOUT_SETTLE_DELAY_MS: '0' }))));
    servers = boots.flatMap((boot) => (boot.status === 'fulfilled' ? [boot.value] : []));
    const failedBoot = boots.find((boot) => boot.status === 'rejected');
    if (failedBoot) throw failedBoot.reason;
    const [first] = servers;
    const tenant = await createTenant(first.baseUrl, 'storm');
    const source = await createWallet(first.baseUrl, tenant, 'USD');
    const destination = await createWallet(first.baseUrl, tenant, 'USD');
    await fund(first.baseUrl, tenant, source, 10_000_000);

    const tally = new RetryTally();
    const reports: StormReport[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [index, kind] of STORM_KINDS.entries()) {
        const stormNumber = round * STORM_KINDS.length + index;
        const operation = stormOperation(kind, `storm-${seed}-${stormNumber}`, source, destination);
        const held = stormNumber % 2 === 1;
        const before = await readBooks(db.query);
        const stormStarted = Date.now();
        const answers = await storm(servers, tenant, operation, held, seededRandom(derivedSeed(seed, stormNumber)), tally);
        const ms = Date.now() - stormStarted;
        if (operation.kind === 'payout') await waitForPayoutsToSettle(db.query, 30_000);
        const after = await readBooks(db.query);

        const replies = answers.map((answer) => answer.reply);
        const executed = replies.filter((reply) => reply.headers.get('idempotency-replayed') === 'false');
        // Copy number n went to instance n % INSTANCES.
        const executedOnInstance = replies.findIndex((reply) => reply.headers.get('idempotency-replayed') === 'false') % INSTANCES;
        reports.push({ kind, held, requests: STORM_SIZE, ms, executedOnInstance });
        expect({ kind, statuses: [...new Set(replies.map((reply) => reply.status))] }).toEqual({ kind, statuses: [201] });
        expect({ kind, distinctBodies: new Set(replies.map((reply) => reply.text)).size, executed: executed.length }).toEqual({
          kind,
          distinctBodies: 1,
          executed: 1,
        });
        const failedPayouts = await failedPayoutIds(db.query);
        expect({ kind, change: booksChange(before, after) }).toEqual({ kind, change: expectedChange(operation, executed[0], failedPayouts, kind) });
      }
    }

    const ledger = await checkLedger(first.baseUrl);
    console.log(
      `[multi-instance] seed=${seed} instances=${INSTANCES} storms=${reports.length} requests=${STORM_SIZE * reports.length} ${tally} ` +
        `ledger_ok=${ledger.ok} duration_ms=${Date.now() - startedAt}\n` +
        reports.map((report) => `  ${JSON.stringify(report)}`).join('\n'),
    );
    expect(ledger).toEqual({ ok: true, currencies: expect.any(Array), mismatches: [] });
  }, scaled(240_000, 600_000)); // bounded mode shares two cores with the rest of npm test
});

function stormOperation(kind: StormKind, key: string, source: string, destination: string): Operation {
  switch (kind) {
    case 'deposit':
      return { kind: 'deposit', key, path: `/v1/wallets/${destination}/deposits`, body: { amount: 777 } };
    case 'order':
      return { kind: 'order', key, path: '/v1/orders', body: { wallet_id: source, product_id: 123, denomination: 2500, quantity: 2 } };
    case 'transfer':
      return { kind: 'transfer', key, path: '/v1/transfers', body: { from_wallet_id: source, to_wallet_id: destination, amount: 1234 } };
    case 'payout':
    case 'failed payout':
      return {
        kind: 'payout',
        key,
        path: '/v1/payouts',
        // The sandbox rail rejects an account number starting with FAIL: the payout is refunded, once.
        body: { wallet_id: source, amount: 4321, destination: { type: 'bank_account', account_number: kind === 'payout' ? 'ACCT-0001' : 'FAIL-0001' } },
      };
  }
}

/** Sends STORM_SIZE copies of one request at once, round robin over the instances; each copy retries until final. */
async function storm(
  servers: ServerProcess[],
  tenant: Tenant,
  operation: Operation,
  held: boolean,
  random: () => number,
  tally: RetryTally,
): Promise<FinalAnswer[]> {
  const request = requestFor(operation, tenant, held ? { 'x-sandbox-fault': HOLD } : {});
  const policy = { random, maxAttempts: 200, giveUpAfterMs: 30_000, baseDelayMs: 20, maxDelayMs: 500 };
  const copies = await Promise.allSettled(
    Array.from({ length: STORM_SIZE }, (_, copy) =>
      untilFinal(() => send(servers[copy % servers.length].baseUrl, request), policy, tally),
    ),
  );
  const unanswered = copies.filter((copy): copy is PromiseRejectedResult => copy.status === 'rejected');
  if (unanswered.length > 0) {
    throw new Error(`${operation.kind} storm: ${unanswered.length} of ${STORM_SIZE} copies got no final answer (${tally}); first: ${unanswered[0].reason}`);
  }
  return copies.map((copy) => (copy as PromiseFulfilledResult<FinalAnswer>).value);
}

interface BooksChange {
  balances: Record<string, number>;
  ledgerEntries: number;
  rows: number;
}

function booksChange(before: Books, after: Books): BooksChange {
  const balances: Record<string, number> = {};
  for (const [wallet, balance] of Object.entries(after.balances)) {
    const delta = Number(balance) - Number(before.balances[wallet] ?? 0);
    if (delta !== 0) balances[wallet] = delta;
  }
  const rows = (books: Books) => Object.values(books.movements).reduce((sum, count) => sum + count, 0);
  return { balances, ledgerEntries: after.ledgerEntries - before.ledgerEntries, rows: rows(after) - rows(before) };
}

/**
 * What the one executed request says it did: its balance changes (none for a payout the rail
 * failed, which must have been refunded, and only that one), its ledger entries, one new row.
 */
function expectedChange(operation: Operation, executed: HttpReply, failedPayouts: ReadonlySet<string>, kind: StormKind): BooksChange {
  if (operation.kind === 'payout') {
    const payoutId = bodyOf<{ id: string }>(executed).id;
    if (failedPayouts.has(payoutId) !== (kind === 'failed payout')) throw new Error(`payout ${payoutId} settled the wrong way for a ${kind}`);
  }
  const balances: Record<string, number> = {};
  for (const [wallet, delta] of balanceChanges({ operation, reply: executed }, failedPayouts)) balances[wallet] = (balances[wallet] ?? 0) + delta;
  return { balances, ledgerEntries: ENTRIES_PER_STORM[kind], rows: 1 };
}
