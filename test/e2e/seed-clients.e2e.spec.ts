import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, TestDatabase } from '../support/database';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { ADMIN_TOKEN } from '../support/test-app';

const DIALECTS_DOC = readFileSync(resolve(__dirname, '../../docs/dialects.md'), 'utf8');

/** The code block docs/dialects.md marks `<!-- run: name -->`: the seed's own code, as the page shows it. */
function documented(name: string): string {
  const code = new RegExp(`<!-- run: ${name} -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(DIALECTS_DOC)?.[1];
  if (!code) throw new Error(`docs/dialects.md lost its "${name}" block`);
  return code;
}

interface Integrator {
  host: string;
  apiKey: string;
  apiSecret: string;
  clientId: string;
}

/** What an integrator changes in a seed's code (docs/dialects.md): the host and the credentials, nothing else. */
function asIntegrator(code: string, who: Integrator): string {
  return code
    .replaceAll('{{host}}', who.host)
    .replaceAll('https://api.your-payment-gateway.com/charges', `${who.host}/api/v1/orders`)
    .replaceAll('sk_live_abc123def456', who.apiKey)
    .replaceAll('your-secret-here', who.apiSecret)
    .replaceAll('YOUR_AUTH_TOKEN', who.apiSecret);
}

/** The same credentials as the environment the seeds' shell and PHP code read them from. */
const environmentOf = (who: Integrator) => ({ ...process.env, HOST: who.host, API_KEY: who.apiKey, API_SECRET: who.apiSecret });

interface Ran {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function runProgram(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, { env, timeout: 60_000 });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { exitCode: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const installed = (file: string, args: string[]) => spawnSync(file, args, { stdio: 'ignore' }).status === 0;
// CI installs them (.ci/run); only a machine without them skips, and says so.
const HAS_PHP = installed('php', ['-r', 'exit(function_exists("curl_init") ? 0 : 1);']) || process.env.CI === 'true';
const HAS_UUIDGEN = installed('uuidgen', []) || process.env.CI === 'true';
if (!HAS_PHP) console.warn('Skipping the Starship guide’s PHP examples: php-cli and php-curl are not installed (apt-get install php-cli php-curl; .ci/run installs them)');
if (!HAS_UUIDGEN) console.warn('Skipping the Starship guide’s bash examples that call uuidgen: it is not installed (apt-get install uuid-runtime; .ci/run installs it)');
const withPhp = HAS_PHP ? it : it.skip;
const withUuidgen = HAS_UUIDGEN ? it : it.skip;

/** The seeds' own client code, from docs/dialects.md, run unchanged but for host and credentials against a started service. */
describe('seed clients against a running service', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let scratch: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startServerProcess({ NODE_ENV: 'test', DATABASE_URL: db.url, ADMIN_TOKEN, PAYOUT_SETTLE_DELAY_MS: '3600000' });
    scratch = mkdtempSync(join(tmpdir(), 'ledgerline-seeds-'));
  }, 120_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await db?.drop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const call = async (path: string, headers: Record<string, string>, body: unknown) => {
    const reply = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${await reply.text()}`);
    return (await reply.json()) as Record<string, string>;
  };

  /** A new client with a `currency` wallet holding `balance` minor units. */
  async function newIntegrator(balance: number, currency = 'USD'): Promise<Integrator> {
    const client = await call('/v1/admin/clients', { authorization: `Bearer ${ADMIN_TOKEN}` }, { name: 'integrator' });
    const auth = { 'x-api-key': client.api_key, 'x-api-secret': client.api_secret };
    const wallet = await call('/v1/wallets', auth, { currency });
    if (balance > 0) await call(`/v1/wallets/${wallet.id}/deposits`, { ...auth, 'idempotency-key': randomUUID() }, { amount: balance });
    return { host: server.baseUrl, apiKey: client.api_key, apiSecret: client.api_secret, clientId: client.id };
  }

  const ordersOf = async (who: Integrator) => (await db.query<{ id: string; amount: string }>('SELECT id, amount::text FROM orders WHERE client_id = $1 ORDER BY id', [who.clientId]));
  const balanceOf = async (who: Integrator) => Number((await db.query<{ balance: string }>('SELECT balance::text FROM wallets WHERE client_id = $1', [who.clientId]))[0].balance);

  const bash = (name: string, who: Integrator) => runProgram('bash', ['-c', asIntegrator(documented(name), who)], environmentOf(who));

  /** A PHP script of the guide's blocks, run with the application code docs/dialects.md shows prepended. */
  function php(names: string[], who: Integrator): Promise<Ran> {
    const application = join(scratch, `application-${randomUUID()}.php`);
    const script = join(scratch, `script-${randomUUID()}.php`);
    writeFileSync(application, documented('starship-php-application'));
    writeFileSync(script, names.map((name) => asIntegrator(documented(name), who)).join(''));
    return runProgram('php', ['-d', `auto_prepend_file=${application}`, script], environmentOf(who));
  }

  it('the Starship quick start: the guide’s curl places the order once, and its retry answers the same bytes', async () => {
    const who = await newIntegrator(100_000);
    const first = await bash('starship-quick-start', who);
    const retry = await bash('starship-quick-start', who);
    expect(first.exitCode).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ status: 'COMPLETED', product_id: 123, denomination: 10_000, quantity: 5, amount: 50_000 });
    expect(retry.stdout).toBe(first.stdout);
    expect(await ordersOf(who)).toHaveLength(1);
  });

  withUuidgen('the Starship key strategies: the guide’s curl with a key of its own making', async () => {
    const who = await newIntegrator(100_000);
    const placed = await bash('starship-key-strategies', who);
    expect([placed.exitCode, JSON.parse(placed.stdout).amount]).toEqual([0, 50_000]);
    expect(await ordersOf(who)).toHaveLength(1);
  });

  withPhp('the Starship PHP key-generation example and "Detecting Cached Responses": the second send is a replay, seen in its headers', async () => {
    const who = await newIntegrator(100_000);
    const ran = await php(['starship-php-key-generation', 'starship-php-detect-cached'], who);
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toMatch(/^Response retrieved from cache \(original request time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\)\n$/);
    expect(await ordersOf(who)).toEqual([{ id: expect.any(String), amount: '50000' }]);
  });

  withPhp('the Starship PHP OrderClient: creates the order, and reports a 4xx by its top-level message', async () => {
    const who = await newIntegrator(100_000);
    const created = await php(['starship-php-order-client'], who);
    const [order] = await ordersOf(who);
    expect([created.stdout, created.stderr]).toEqual([`Order created: ${order.id}\n`, '']);

    const poor = await newIntegrator(0);
    const refused = await php(['starship-php-order-client'], poor);
    expect([refused.stdout, refused.stderr]).toEqual(['Failed: The wallet balance is too low for this amount\n', '']);
    expect(await ordersOf(poor)).toHaveLength(0);
  });

  withUuidgen('the Starship safe retry pattern: success exits 0, a client error exits 1 without retrying', async () => {
    const who = await newIntegrator(100_000);
    const ran = await bash('starship-retry-loop', who);
    expect([ran.exitCode, ran.stdout.startsWith('Success: {')]).toEqual([0, true]);
    expect(JSON.parse(ran.stdout.replace(/^Success: /, ''))).toMatchObject({ status: 'COMPLETED', amount: 50_000 });
    expect(await balanceOf(who)).toBe(50_000);

    const poor = await newIntegrator(0);
    const refused = await bash('starship-retry-loop', poor);
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toMatch(/^Client error \(no retry\): \{"error":\{"code":"INSUFFICIENT_FUNDS"/);
  });

  it('the CatFee order: signed as the article describes, once, and its duplicate answered as CatFee does', async () => {
    const who = await newIntegrator(20_000_000, 'TRX');
    const first = JSON.parse((await bash('catfee-order', who)).stdout);
    const duplicate = JSON.parse((await bash('catfee-order', who)).stdout);
    expect(first).toMatchObject({ code: 0, data: { client_order_id: 'abc123', quantity: 65000, pay_amount_sun: 10_530_000, status: 'PAYMENT_SUCCESS' } });
    expect(duplicate).toEqual({ code: 0, sub_code: 'SUCCESS', sub_msg: 'Duplicate order request, returning existing order', data: first.data });
    expect(await balanceOf(who)).toBe(20_000_000 - 10_530_000);
  });

  it('the axios snippet: Authorization: Bearer <api_secret> and one Idempotency-Key for the attempt and its retry, one order', async () => {
    const who = await newIntegrator(100_000);
    const script = join(scratch, `axios-${randomUUID()}.js`);
    writeFileSync(script, asIntegrator(documented('axios-snippet'), who));
    // The snippet requires axios and uuid, as its integrator installed them: this project's own.
    const ran = await runProgram(process.execPath, [script], { ...environmentOf(who), NODE_PATH: resolve(__dirname, '../../node_modules') });
    expect(ran.stderr).toBe('');
    expect(ran.stdout.match(/Payment processed successfully:/g)).toHaveLength(2);
    const answered = [...ran.stdout.matchAll(/\bid: '([0-9a-f-]{36})'/g)].map((match) => match[1]);
    const [order] = await ordersOf(who);
    expect(answered).toEqual([order.id, order.id]);
    expect(ran.stdout).toMatch(/Second payment attempt \(retry\) completed/);
    expect(await balanceOf(who)).toBe(100_000 - 5_000);
  });
});
