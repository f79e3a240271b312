import { randomUUID } from 'node:crypto';
import { fundedWallet } from '../support/fixtures';
import { Credentials, startTestApp, TestApp, withKey } from '../support/test-app';

/**
 * Sandbox faults hold a pooled connection for their delay: one client must not be able to starve the
 * others, a request must not wait without bound for a connection, and readiness never waits behind them.
 */
describe('sandbox faults cannot starve the service', () => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;
  let alicesWallets: string[];
  let bobsWallet: string;

  beforeAll(async () => {
    t = await startTestApp({ DATABASE_POOL_SIZE: '2', DATABASE_POOL_WAIT_MS: '300' });
    alice = await t.newClient('alice');
    bob = await t.newClient('bob');
    // One wallet per held request, so that none waits on another's row lock.
    alicesWallets = [await fundedWallet(t, alice, 'USD', 10_000), await fundedWallet(t, alice, 'USD', 10_000), await fundedWallet(t, alice, 'USD', 10_000)];
    bobsWallet = await fundedWallet(t, bob, 'USD', 10_000);
  });
  afterAll(() => t.close());

  const held = (wallet: number, key = randomUUID()) =>
    t.request('POST', `/v1/wallets/${alicesWallets[wallet]}/deposits`, { headers: { ...withKey(alice.headers, key), 'x-sandbox-fault': 'delay=1500' }, body: { amount: 1 } });
  /** Polls until `count` transactions sit in the sandbox's delay, holding their connections. */
  async function untilHeld(count: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await t.db.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`)).length < count) {
      if (Date.now() > deadline) throw new Error(`${count} held transactions never appeared`);
      await new Promise((done) => setTimeout(done, 10));
    }
  }

  it('lets a client have at most 2 faulted requests in flight: the third is 429, records nothing, and a later one runs', async () => {
    const holders = [held(0), held(1)];
    await untilHeld(2);
    const key = randomUUID();
    const third = await held(2, key);
    expect([third.status, third.json.error.code, third.headers['retry-after']]).toEqual([429, 'RATE_LIMITED', '1']);
    expect((await Promise.all(holders)).map((reply) => reply.status)).toEqual([201, 201]);
    expect(await t.db.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [key])).toHaveLength(0);
    expect((await held(2, key)).status).toBe(201);
  });

  it('answers 503 with Retry-After when no pooled connection frees up in time, and readiness still answers', async () => {
    // Warm Bob's credentials, so that his request's only need of the pool is the read itself.
    expect((await t.request('GET', `/v1/wallets/${bobsWallet}`, { headers: bob.headers })).status).toBe(200);
    const holders = [held(0), held(1)];
    await untilHeld(2);
    const startedAt = Date.now();
    const starved = await t.request('GET', `/v1/wallets/${bobsWallet}`, { headers: bob.headers });
    expect([starved.status, starved.json.error.code, starved.headers['retry-after']]).toEqual([503, 'SERVICE_UNAVAILABLE', '1']);
    expect(Date.now() - startedAt).toBeLessThan(1200);
    const ready = await t.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect((await Promise.all(holders)).map((reply) => reply.status)).toEqual([201, 201]);
    expect((await t.request('GET', `/v1/wallets/${bobsWallet}`, { headers: bob.headers })).status).toBe(200);
  });
});
