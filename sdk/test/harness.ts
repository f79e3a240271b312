import { setTimeout as delay } from 'node:timers/promises';
import { createTestDatabase, TestDatabase } from '../../test/support/database';
import { startServerProcess } from '../../test/support/server-process';
import { FetchLike, IssuedClient, Ledgerline, LedgerlineAdmin, LedgerlineOptions } from '../src';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** Product 123 of the seeded catalogue: USD gift cards of 1000, 2500, 5000 and 10000 minor units. */
export const GIFT_CARD = 123;

/** A real service process on its own fresh database. */
export interface Sandbox {
  baseUrl: string;
  db: TestDatabase;
  admin: LedgerlineAdmin;
  stop(): Promise<void>;
}

export async function startSandbox(env: Record<string, string> = {}): Promise<Sandbox> {
  const db = await createTestDatabase();
  const server = await startServerProcess({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    ADMIN_TOKEN,
    PAYOUT_SETTLE_DELAY_MS: '0',
    ...env,
  }).catch(async (error: unknown) => {
    await db.drop();
    throw error;
  });
  return {
    baseUrl: server.baseUrl,
    db,
    admin: new LedgerlineAdmin({ baseUrl: server.baseUrl, adminToken: ADMIN_TOKEN }),
    stop: async () => {
      server.child.kill('SIGTERM');
      await server.exited;
      await db.drop();
    },
  };
}

/** A new client (tenant) of the sandbox, and a way to build SDK instances for it. */
export interface Tenant {
  credentials: IssuedClient;
  /** An SDK instance for this tenant; tests pass their own fetch, sleep and retry settings. */
  api(options?: Partial<LedgerlineOptions>): Ledgerline;
}

export async function newTenant(sandbox: Sandbox, name = 'sdk-test'): Promise<Tenant> {
  const credentials = await sandbox.admin.createClient({ name });
  return {
    credentials,
    api: (options = {}) =>
      new Ledgerline({ baseUrl: sandbox.baseUrl, apiKey: credentials.api_key, apiSecret: credentials.api_secret, ...options }),
  };
}

/** A USD wallet holding `balance` minor units, funded through a real deposit. */
export async function fundedWallet(api: Ledgerline, balance: number): Promise<string> {
  const wallet = (await api.createWallet({ currency: 'USD' })).data;
  if (balance > 0) await api.deposit(wallet.id, { amount: balance });
  return wallet.id;
}

export type SandboxFault = 'drop-response' | 'fail-before-commit' | `delay=${number}`;

/** What one HTTP attempt carried and got. */
export interface AttemptRecord {
  method: string;
  url: string;
  idempotencyKey: string | null;
  fault: SandboxFault | undefined;
  /** Undefined when no answer came (dropped connection, timeout). */
  status?: number;
  /** The error envelope's code, for an error answer. */
  code?: string;
}

/**
 * A fetch that adds `X-Sandbox-Fault: faults[i]` to attempt i (nothing past the end of the list)
 * and records every attempt: the server, not a mock, then decides what each fault does.
 */
export function faultyFetch(faults: ReadonlyArray<SandboxFault | undefined> = []): { fetch: FetchLike; attempts: AttemptRecord[] } {
  const attempts: AttemptRecord[] = [];
  const fetchWithFaults: FetchLike = async (url, init) => {
    const headers = new Headers(init.headers);
    const fault = faults[attempts.length];
    if (fault) headers.set('x-sandbox-fault', fault);
    const record: AttemptRecord = { method: init.method ?? 'GET', url, idempotencyKey: headers.get('idempotency-key'), fault };
    attempts.push(record);
    const response = await fetch(url, { ...init, headers });
    record.status = response.status;
    if (response.status >= 400) record.code = ((await response.clone().json()) as { error?: { code?: string } }).error?.code;
    return response;
  };
  return { fetch: fetchWithFaults, attempts };
}

/** A sleep hook that records every wait the SDK asks for, and really waits. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms) => {
      waits.push(ms);
      await delay(ms);
    },
  };
}

/** Retries within milliseconds, so fault tests stay fast. */
export const QUICK_RETRIES = { baseDelayMs: 10, maxDelayMs: 50 };

export async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await delay(25);
  }
  throw new Error('condition not met in time');
}

/** True while some request holds a transaction open on the sandbox's database (e.g. under `delay=MS`). */
export async function transactionHeldOpen(db: TestDatabase): Promise<boolean> {
  const [row] = await db.query<{ held: string }>(
    `SELECT count(*) AS held FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction'`,
    [db.name],
  );
  return Number(row.held) > 0;
}
