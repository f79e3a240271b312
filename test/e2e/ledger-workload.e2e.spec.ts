import { randomUUID } from 'node:crypto';
import { fundedWallet } from '../support/fixtures';
import { pick, seededRandom } from '../support/random';
import { ADMIN_TOKEN, Credentials, Reply, startTestApp, TestApp } from '../support/test-app';

const OPERATIONS = 400;
const CONCURRENCY = 8;

interface Sent {
  path: string;
  headers: Record<string, string>;
  body: unknown;
  reply: Reply;
}

/**
 * Deposits, orders, transfers (some across clients, some across currencies), payouts (some to
 * rejected destinations) and replays, interleaved at random; then the books must balance.
 */
describe('randomized mixed workload', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ PAYOUT_SETTLE_DELAY_MS: '0' });
  });
  afterAll(() => t.close());

  it('keeps every balance equal to its entries and every currency at zero', async () => {
    const seed = Number(process.env.WORKLOAD_SEED ?? Date.now() % 1_000_000);
    // Printed before the workload, so a run that hangs or times out still shows it.
    console.log(`workload seed=${seed} (replay with WORKLOAD_SEED=${seed})`);
    const random = seededRandom(seed);
    const clients: Credentials[] = [await t.newClient('a'), await t.newClient('b')];
    const wallets: Array<{ owner: Credentials; id: string; currency: string }> = [];
    for (const owner of clients) {
      for (const currency of ['USD', 'USD', 'EUR']) wallets.push({ owner, id: await fundedWallet(t, owner, currency, 50_000), currency });
    }
    const sent: Sent[] = [];
    const statuses: Record<string, number> = {};

    const nextRequest = (): Omit<Sent, 'reply'> => {
      const roll = random();
      if (roll < 0.1 && sent.length > 0) {
        const earlier = pick(random, sent);
        return { path: earlier.path, headers: earlier.headers, body: earlier.body };
      }
      const wallet = pick(random, wallets);
      const headers = { ...wallet.owner.headers, 'idempotency-key': randomUUID() };
      const amount = 1 + Math.floor(random() * 3000);
      if (roll < 0.3) return { path: `/v1/wallets/${wallet.id}/deposits`, headers, body: { amount } };
      if (roll < 0.55) {
        const product = wallet.currency === 'USD' ? { product_id: 123, denomination: pick(random, [1000, 2500]) } : { product_id: 201 };
        return { path: '/v1/orders', headers, body: { wallet_id: wallet.id, quantity: 1 + Math.floor(random() * 3), ...product } };
      }
      if (roll < 0.85) {
        const to = pick(random, wallets.filter((w) => w.id !== wallet.id));
        return { path: '/v1/transfers', headers, body: { from_wallet_id: wallet.id, to_wallet_id: to.id, amount } };
      }
      const account = random() < 0.3 ? 'FAIL-0001' : 'ACCT-0001';
      return { path: '/v1/payouts', headers, body: { wallet_id: wallet.id, amount, destination: { type: 'bank_account', account_number: account } } };
    };

    let issued = 0;
    const worker = async () => {
      while (issued < OPERATIONS) {
        issued++;
        const request = nextRequest();
        const reply = await t.request('POST', request.path, { headers: request.headers, body: request.body });
        const earlier = sent.find((s) => s.headers === request.headers);
        if (earlier && earlier.reply.status < 500 && earlier.reply.status !== 409) {
          // A replay answers exactly what the first attempt answered.
          expect(reply.body).toBe(earlier.reply.body);
        }
        statuses[`${request.path.split('/')[2]} ${reply.status}`] = (statuses[`${request.path.split('/')[2]} ${reply.status}`] ?? 0) + 1;
        expect(reply.status).toBeLessThan(500);
        if (!earlier) sent.push({ ...request, reply });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Let the payout worker settle everything.
    for (let waited = 0; waited < 20_000; waited += 200) {
      const [{ pending }] = await t.db.query<{ pending: string }>(`SELECT count(*) AS pending FROM payouts WHERE status = 'PENDING'`);
      if (pending === '0') break;
      await new Promise((done) => setTimeout(done, 200));
    }
    const check = await t.request('GET', '/v1/admin/ledger/check', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    console.log(`workload seed=${seed} operations=${OPERATIONS} concurrency=${CONCURRENCY} outcomes=${JSON.stringify(statuses)}`);
    expect(check.json).toEqual({ ok: true, currencies: expect.any(Array), mismatches: [] });
    expect(await t.db.query(`SELECT 1 FROM payouts WHERE status = 'PENDING'`)).toHaveLength(0);
  }, 120_000);
});
