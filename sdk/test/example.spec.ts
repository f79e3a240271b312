import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fundedWallet, newTenant, Sandbox, startSandbox } from './harness';

const EXAMPLE = resolve(__dirname, '../../examples/charge-once.mjs');
const BUILT_SDK = resolve(__dirname, '../dist/index.js');
/** What `npm start` gives its sandbox client. */
const SANDBOX_FUNDING = 100_000_000;

function runNode(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', fail);
    child.once('exit', (code) => done({ code, output }));
  });
}

/** examples/charge-once.mjs, run as a user would, so that it cannot rot. */
describe('examples/charge-once.mjs', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox();
  }, 120_000);
  afterAll(() => sandbox?.stop());

  it('charges every order exactly once through dropped answers and failed commits', async () => {
    if (!existsSync(BUILT_SDK)) throw new Error(`${BUILT_SDK} is missing: run \`npm run build\` first`);
    const tenant = await newTenant(sandbox, 'example');
    const api = tenant.api();
    const walletId = await fundedWallet(api, SANDBOX_FUNDING);

    const { code, output } = await runNode(EXAMPLE, {
      LEDGERLINE_URL: sandbox.baseUrl,
      LEDGERLINE_API_KEY: tenant.credentials.api_key,
      LEDGERLINE_API_SECRET: tenant.credentials.api_secret,
      LEDGERLINE_WALLET_ID: walletId,
    });

    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('OK: all 5 orders charged exactly once') });
    expect(output.match(/-> charged once$/gm)).toHaveLength(5);
    expect(output).toMatch(/attempts: [2-9], final answer a replay: true/);
    // The service agrees: five orders, and the wallet debited by exactly their total.
    const orders = (await api.listOrders({ limit: 100 })).data;
    expect(orders).toHaveLength(5);
    const total = orders.reduce((sum, order) => sum + order.amount, 0);
    expect((await api.getWallet(walletId)).balance).toBe(SANDBOX_FUNDING - total);
  });
});
