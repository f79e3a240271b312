import { randomUUID } from 'node:crypto';
import { MOVEMENT_KINDS, MovementKind } from './books';
import { bodyOf, expectStatus, HttpReply, HttpRequest, send } from './http';
import { Tenant } from './ledgerline';

/** One logical money-moving request. Its key is chosen before the first attempt and reused on every retry. */
export interface Operation {
  kind: MovementKind;
  key: string;
  /** Path without the query string. */
  path: string;
  body: Record<string, unknown>;
}

/** A logical request and the final answer its client got. */
export interface Settled {
  operation: Operation;
  reply: HttpReply;
}

/** The operation as one HTTP request, its key in the Idempotency-Key header. */
export function requestFor(operation: Operation, tenant: Tenant, extraHeaders: Record<string, string> = {}): HttpRequest {
  return {
    method: 'POST',
    path: operation.path,
    headers: { ...tenant.headers, 'idempotency-key': operation.key, ...extraHeaders },
    body: operation.body,
  };
}

/** Sandbox funding, made before the load; it is one of the movements the books must show. */
export async function fund(baseUrl: string, tenant: Tenant, walletId: string, amount: number): Promise<Settled> {
  const operation: Operation = { kind: 'deposit', key: randomUUID(), path: `/v1/wallets/${walletId}/deposits`, body: { amount } };
  const reply = await send(baseUrl, requestFor(operation, tenant));
  return { operation, reply: expectStatus(reply, 201, 'funding deposit') };
}

interface WalletMovement {
  id: string;
  wallet_id: string;
  amount: number;
}

interface TransferAnswer {
  id: string;
  from_wallet_id: string;
  to_wallet_id: string;
  amount: number;
}

/**
 * What one final answer says happened to balances, as [wallet, signed amount] pairs: nothing for
 * a refusal; for a payout that the rail later failed, nothing either (it was refunded).
 */
export function balanceChanges(settled: Settled, failedPayouts: ReadonlySet<string>): Array<[string, number]> {
  if (settled.reply.status !== 201) return [];
  switch (settled.operation.kind) {
    case 'deposit': {
      const deposit = bodyOf<WalletMovement>(settled.reply);
      return [[deposit.wallet_id, deposit.amount]];
    }
    case 'order': {
      const order = bodyOf<WalletMovement>(settled.reply);
      return [[order.wallet_id, -order.amount]];
    }
    case 'transfer': {
      const transfer = bodyOf<TransferAnswer>(settled.reply);
      return [
        [transfer.from_wallet_id, -transfer.amount],
        [transfer.to_wallet_id, transfer.amount],
      ];
    }
    case 'payout': {
      const payout = bodyOf<WalletMovement>(settled.reply);
      return failedPayouts.has(payout.id) ? [] : [[payout.wallet_id, -payout.amount]];
    }
  }
}

/** The balance each wallet must hold if every answer told the truth and nothing else moved money. */
export function expectedBalances(walletIds: string[], settled: Settled[], failedPayouts: ReadonlySet<string>): Record<string, string> {
  const balances = new Map(walletIds.map((id) => [id, 0]));
  for (const one of settled) {
    for (const [walletId, amount] of balanceChanges(one, failedPayouts)) balances.set(walletId, (balances.get(walletId) ?? 0) + amount);
  }
  return Object.fromEntries([...balances].map(([id, balance]) => [id, String(balance)]));
}

export interface Discrepancies {
  /** Answered 201, yet no row: a lost effect. */
  lost: string[];
  /** A row no 201 answer names: a doubled effect, or one its client was never told about. */
  unanswered: string[];
}

/** Compares the movement rows in the database with the 201 answers the clients received. */
export function compareWithAnswers(recorded: Record<MovementKind, string[]>, settled: Settled[]): Record<MovementKind, Discrepancies> {
  const result = {} as Record<MovementKind, Discrepancies>;
  for (const kind of MOVEMENT_KINDS) {
    const answered = settled
      .filter((one) => one.operation.kind === kind && one.reply.status === 201)
      .map((one) => bodyOf<{ id: string }>(one.reply).id);
    const rows = new Set(recorded[kind]);
    const told = new Set(answered);
    result[kind] = {
      lost: answered.filter((id) => !rows.has(id)),
      unanswered: recorded[kind].filter((id) => !told.has(id)),
    };
    if (answered.length !== told.size) result[kind].unanswered.push(`${answered.length - told.size} answers name an id twice`);
  }
  return result;
}

const nothingWrong = (): Discrepancies => ({ lost: [], unanswered: [] });
export const NO_DISCREPANCY: Record<MovementKind, Discrepancies> = {
  deposit: nothingWrong(),
  order: nothingWrong(),
  transfer: nothingWrong(),
  payout: nothingWrong(),
};

/**
 * Sends every settled operation once more with its key: each must be a replay of exactly the
 * answer its client got (the client always learns the one true outcome). Returns what differed.
 */
export async function replayMismatches(baseUrl: string, tenant: Tenant, settled: Settled[], concurrency = 8): Promise<string[]> {
  const mismatches: string[] = [];
  let next = 0;
  await inParallel(concurrency, async (_worker, stopped) => {
    while (next < settled.length && !stopped()) {
      const { operation, reply } = settled[next++];
      const again = await send(baseUrl, requestFor(operation, tenant));
      if (again.status !== reply.status || again.text !== reply.text || again.headers.get('idempotency-replayed') !== 'true') {
        mismatches.push(`${operation.kind} ${operation.key}: first ${reply.status} ${reply.text} / replay ${again.status} ${again.text}`);
      }
    }
  });
  return mismatches;
}

/**
 * Runs `work` on several concurrent workers. When one fails, the others are told to stop (they
 * check `stopped()` between requests) and the first failure is rethrown once all have ended, so no
 * worker keeps sending after its test has failed.
 */
export async function inParallel(workers: number, work: (worker: number, stopped: () => boolean) => Promise<void>): Promise<void> {
  let failure: { error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: workers }, (_, worker) =>
      work(worker, () => failure !== undefined).catch((error: unknown) => {
        failure ??= { error };
      }),
    ),
  );
  if (failure) throw failure.error;
}

/** How many times each value occurs, e.g. {"201": 290, "400": 10}, for the printed summaries. */
export function countOf(values: Array<string | number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

export function statusCounts(replies: HttpReply[]): Record<string, number> {
  return countOf(replies.map((reply) => reply.status));
}
