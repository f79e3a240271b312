import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '../support/database';
import { until } from '../support/poll';
import { startServerProcess } from '../support/server-process';
import { ADMIN_TOKEN } from '../support/test-app';

/** Failures only a real process shows: a SIGKILL mid-transaction, and an answer lost after COMMIT. */
describe('idempotency across crashes and lost responses', () => {
  let db: TestDatabase;
  const env = () => ({ NODE_ENV: 'test', DATABASE_URL: db.url, ADMIN_TOKEN });

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const post = async (baseUrl: string, path: string, headers: Record<string, string>, body: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const transactionsInFlight = async () =>
    Number(
      (
        await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction'`,
          [db.name],
        )
      )[0].n,
    );

  it('leaves nothing behind when the server is killed after the claim, and the retry executes once', async () => {
    const first = await startServerProcess(env());
    const client = JSON.parse((await post(first.baseUrl, '/v1/admin/clients', { authorization: `Bearer ${ADMIN_TOKEN}` }, { name: 'crash' })).text);
    const auth = { 'x-api-key': client.api_key, 'x-api-secret': client.api_secret };
    const walletId = JSON.parse((await post(first.baseUrl, '/v1/wallets', auth, { currency: 'USD' })).text).id;
    const key = randomUUID();

    // Claim taken and the deposit written, then the transaction is held open...
    const doomed = post(first.baseUrl, `/v1/wallets/${walletId}/deposits`, { ...auth, 'idempotency-key': key, 'x-sandbox-fault': 'delay=10000' }, { amount: 100 }).catch(
      () => 'no answer',
    );
    await until(async () => (await transactionsInFlight()) === 1);
    // ...and the process dies with it.
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await doomed).toBe('no answer');

    await until(async () => (await transactionsInFlight()) === 0);
    expect(await db.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [key])).toHaveLength(0);
    expect(await db.query('SELECT 1 FROM deposits WHERE wallet_id = $1', [walletId])).toHaveLength(0);
    expect(await db.query('SELECT 1 FROM ledger_entries WHERE wallet_id = $1', [walletId])).toHaveLength(0);

    const second = await startServerProcess(env());
    try {
      const retry = await post(second.baseUrl, `/v1/wallets/${walletId}/deposits`, { ...auth, 'idempotency-key': key }, { amount: 100 });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotency-replayed')).toBe('false');
      const again = await post(second.baseUrl, `/v1/wallets/${walletId}/deposits`, { ...auth, 'idempotency-key': key }, { amount: 100 });
      expect(again.headers.get('idempotency-replayed')).toBe('true');
      expect(again.text).toBe(retry.text);
      const [{ balance }] = await db.query<{ balance: string }>('SELECT balance::text FROM wallets WHERE id = $1', [walletId]);
      expect(balance).toBe('100');

      // The answer is lost after COMMIT: the money moved, and the retry learns the one outcome.
      const lostKey = randomUUID();
      const lost = await post(second.baseUrl, `/v1/wallets/${walletId}/deposits`, { ...auth, 'idempotency-key': lostKey, 'x-sandbox-fault': 'drop-response' }, { amount: 5 }).catch(
        () => 'no answer',
      );
      expect(lost).toBe('no answer');
      const [committed] = await db.query<{ id: string }>('SELECT id FROM deposits WHERE wallet_id = $1 AND amount = 5', [walletId]);
      expect(committed).toBeDefined();
      const recovered = await post(second.baseUrl, `/v1/wallets/${walletId}/deposits`, { ...auth, 'idempotency-key': lostKey }, { amount: 5 });
      expect(recovered.status).toBe(201);
      expect(recovered.headers.get('idempotency-replayed')).toBe('true');
      expect(JSON.parse(recovered.text).id).toBe(committed.id);
      expect(await db.query('SELECT 1 FROM deposits WHERE wallet_id = $1', [walletId])).toHaveLength(2);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 120_000);
});
