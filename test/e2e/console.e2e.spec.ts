import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { createTestDatabase, TestDatabase } from '../support/database';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { ADMIN_TOKEN } from '../support/test-app';

/** Debian's chromium; `.ci/run` installs it where missing. */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(__dirname, '../..');
/** Set by `npm run docs:console`: where each view's screenshot goes (docs/console.md shows them). */
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS;

interface Client {
  name: string;
  key: string;
  secret: string;
  wallet: string;
}

/**
 * The console in a real browser against the built service: an integrator arms a drop-response rule,
 * runs the Starship guide's bash retry loop unchanged (examples/starship-safe-retry.sh), and sees both
 * attempts, the one debit and the spent rule; another client sees none of it.
 */
(existsSync(CHROMIUM) || process.env.CI === 'true' ? describe : describe.skip)('the console in Chromium', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let browser: Browser;
  let receiver: Server;
  let alice: Client;
  let bob: Client;
  const cspViolations: string[] = [];

  const admin = async (path: string, body: unknown): Promise<Record<string, string>> => {
    const response = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return (await response.json()) as Record<string, string>;
  };
  const asClient = async (who: { key: string; secret: string }, method: string, path: string, body?: unknown, key?: string): Promise<Record<string, string>> => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { 'x-api-key': who.key, 'x-api-secret': who.secret, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as Record<string, string>;
  };
  async function newClient(name: string): Promise<Client> {
    const created = await admin('/v1/admin/clients', { name });
    const who = { key: created.api_key, secret: created.api_secret };
    const wallet = await asClient(who, 'POST', '/v1/wallets', { currency: 'USD' });
    await asClient(who, 'POST', `/v1/wallets/${wallet.id}/deposits`, { amount: 1_000_000 }, `fund-${wallet.id}`);
    return { name, ...who, wallet: wallet.id };
  }

  async function signedIn(who: Client, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.goto(`${server.baseUrl}/console`);
    await page.getByLabel('API key').focus();
    // By keyboard alone: the fields are labelled and the form submits on Enter.
    await page.keyboard.type(who.key);
    await page.keyboard.press('Tab');
    await page.keyboard.type(who.secret);
    await page.keyboard.press('Enter');
    await page.getByText(`Signed in as ${who.name}`).waitFor();
    return { context, page };
  }

  const shoot = async (page: Page, name: string) => {
    if (!SCREENSHOTS) return;
    mkdirSync(join(ROOT, SCREENSHOTS), { recursive: true });
    await page.screenshot({ path: join(ROOT, SCREENSHOTS, `${name}.png`), fullPage: false });
  };

  beforeAll(async () => {
    receiver = createServer((_request, response) => response.writeHead(200).end('ok'));
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    db = await createTestDatabase();
    server = await startServerProcess({ NODE_ENV: 'test', DATABASE_URL: db.url, ADMIN_TOKEN, PAYOUT_SETTLE_DELAY_MS: '200' });
    alice = await newClient('alice');
    bob = await newClient('bob');
    const { port } = receiver.address() as { port: number };
    await asClient(alice, 'POST', '/v1/webhooks', { url: `http://127.0.0.1:${port}/ledgerline`, events: ['order.completed', 'payout.completed', 'payout.failed'] });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    await db?.drop();
    receiver?.close();
  });

  it('serves the page with a strict Content-Security-Policy and nothing from elsewhere', async () => {
    const page = await fetch(`${server.baseUrl}/console`);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'; script-src 'self'; style-src 'self';/);
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<style>|style=|https?:\/\//);
    expect(readFileSync(join(ROOT, 'dist/console/app.js'), 'utf8')).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z]/i);
  });

  it('shows the guide’s bash retry loop through a drop-response rule: both attempts, one debit, the rule spent', async () => {
    const { context, page } = await signedIn(alice);
    try {
      await page.getByRole('link', { name: 'Fault rules' }).click();
      await page.getByLabel('Endpoint').fill('POST /api/v1/orders');
      await page.getByLabel('Times').fill('1');
      await page.getByRole('button', { name: 'Arm' }).click();
      await page.locator('tr.rule-row', { hasText: 'drop-response' }).filter({ hasText: 'POST /api/v1/orders' }).waitFor();

      // The guide's script exactly as published, but for its {{host}} placeholder.
      const script = readFileSync(join(ROOT, 'examples/starship-safe-retry.sh'), 'utf8').replace('{{host}}', server.baseUrl);
      const { stdout } = await promisify(execFile)('bash', ['-c', script], { env: { ...process.env, API_KEY: alice.key, API_SECRET: alice.secret }, timeout: 60_000 });
      expect(stdout).toMatch(/^Attempt 1 failed with HTTP 000, retrying\.\.\.\nSuccess: \{"id":/);

      await text(page.locator('tr.rule-row', { hasText: 'drop-response' }).locator('td.num'), /^spent$/);
      await shoot(page, 'fault-rules');

      await page.getByRole('link', { name: 'Requests' }).click();
      const attempts = page.locator('tr.request-row', { hasText: '/api/v1/orders' });
      await count(attempts, 2);
      await text(attempts.nth(0), 'replayed');
      await text(attempts.nth(1), 'no answer');
      await text(attempts.nth(1), 'drop-response');
      await attempts.nth(1).getByRole('button', { name: 'Details' }).click();
      await page.getByText('No answer was sent').waitFor();
      await shoot(page, 'requests');

      await attempts.nth(0).getByRole('link').click();
      const timeline = page.locator('tr.attempt-row');
      await count(timeline, 2);
      await text(timeline.nth(0), 'executed');
      await text(timeline.nth(0), 'drop-response');
      await text(timeline.nth(1), 'replayed');
      await text(timeline.nth(1), '201');
      await shoot(page, 'key-timeline');

      await page.getByRole('link', { name: 'Wallets' }).click();
      await page.getByRole('link', { name: alice.wallet }).click();
      const orders = page.locator('tr.ledger-row', { hasText: 'ORDER' });
      await count(orders, 1);
      await text(orders.first(), '−500.00 USD');
      await text(page.locator('.balance'), '9,500.00 USD');
      await shoot(page, 'wallet');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('lists payouts and webhook deliveries, offers redelivery, and deletes an endpoint once asked', async () => {
    await asClient(alice, 'POST', '/v1/payouts', { wallet_id: alice.wallet, amount: 1500, destination: { type: 'bank_account', account_number: 'DE89370400440532013000' } }, 'payout-docs-1');
    await asClient(alice, 'POST', '/v1/payouts', { wallet_id: alice.wallet, amount: 700, destination: { type: 'bank_account', account_number: 'FAIL-0001' } }, 'payout-docs-2');
    const { context, page } = await signedIn(alice);
    try {
      await page.getByRole('link', { name: 'Payouts' }).click();
      await count(page.locator('tbody tr', { hasText: 'COMPLETED' }), 1);
      await count(page.locator('tbody tr', { hasText: 'FAILED' }), 1);
      await shoot(page, 'payouts');

      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.locator('tbody a').first().click();
      await page.getByRole('button', { name: 'Redeliver' }).first().waitFor();
      await page.getByRole('button', { name: 'Redeliver' }).first().click();
      // This server has the redelivery route: only "sent again" is success.
      await text(page.getByRole('status'), /sent again/);
      await shoot(page, 'webhooks');

      // An endpoint deleted from the list, after the console asked: gone from the page and from the API.
      const spareUrl = 'http://127.0.0.1:9/spare';
      const spare = await asClient(alice, 'POST', '/v1/webhooks', { url: spareUrl, events: ['payout.failed'] });
      await page.getByRole('link', { name: 'All endpoints' }).click();
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: `Delete the endpoint ${spareUrl}` }).click();
      await text(page.getByRole('status'), `Deleted the endpoint ${spareUrl}.`);
      await count(page.locator('tbody tr', { hasText: spareUrl }), 0);
      const gone = (await asClient(alice, 'GET', `/v1/webhooks/${spare.id}`)) as unknown as { error?: { code: string } };
      expect(gone.error?.code).toBe('NOT_FOUND');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('never shows one client another’s data', async () => {
    const { context, page } = await signedIn(bob);
    try {
      await page.getByRole('link', { name: 'Requests' }).click();
      // Bob's own deposit shown: the log has loaded, so a zero below is not a page still loading.
      await page.locator('tr.request-row', { hasText: `/v1/wallets/${bob.wallet}/deposits` }).waitFor();
      await count(page.locator('tr.request-row', { hasText: '/api/v1/orders' }), 0);
      await page.getByRole('link', { name: 'Wallets' }).click();
      await page.getByRole('link', { name: bob.wallet }).waitFor();
      await count(page.getByRole('link', { name: alice.wallet }), 0);
      await page.goto(`${server.baseUrl}/console#/wallets/${alice.wallet}`);
      await text(page.getByRole('alert'), 'NOT_FOUND');
      await page.getByRole('link', { name: 'Fault rules' }).click();
      await loadedEmpty(page, 'Rules, newest first');
      await count(page.locator('tr.rule-row'), 0);
      await page.getByRole('link', { name: 'Payouts' }).click();
      await loadedEmpty(page, 'Your payouts, newest first');
      await count(page.locator('tbody tr', { hasText: 'COMPLETED' }), 0);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('keeps an id from the address inside its own path segment, and stays signed in when sign-out fails', async () => {
    const { context, page } = await signedIn(alice);
    try {
      const apiPaths: string[] = [];
      page.on('request', (request) => apiPaths.push(new URL(request.url()).pathname));
      // Decoded, this id is "../wallets#": spliced into a path raw, it made the view read (and Redeliver post to) /v1/wallets.
      await page.goto(`${server.baseUrl}/console#/webhooks/..%2Fwallets%23`);
      await text(page.getByRole('alert'), 'VALIDATION_ERROR');
      expect(apiPaths).toContain('/v1/webhooks/..%2Fwallets%23/deliveries');
      expect(apiPaths).not.toContain('/v1/wallets');
      // A dot segment stays one even encoded (`..` would climb to /v1/): refused before any request.
      apiPaths.length = 0;
      await page.goto(`${server.baseUrl}/console#/wallets/..`);
      await text(page.getByRole('alert').first(), 'is not an id');
      expect(apiPaths.filter((path) => path.startsWith('/v1/'))).toEqual([]);

      // A refused sign-out (429 here) leaves the session open, and the page says so instead of showing the sign-in form.
      const refused = { status: 429, contentType: 'application/json', body: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'Too many requests' } }) };
      await page.route('**/console/session', (route) => (route.request().method() === 'DELETE' ? route.fulfill(refused) : route.continue()));
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('alert').filter({ hasText: 'Sign-out failed, and the session is still open' }).waitFor();
      await count(page.getByRole('button', { name: 'Sign in' }), 0);
      await page.unroute('**/console/session');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
    } finally {
      await context.close();
    }
  }, 60_000);

  it('is readable at phone width: nothing wider than the screen but the tables, which scroll', async () => {
    const { context, page } = await signedIn(alice, { width: 390, height: 844 });
    try {
      await page.locator('tr.request-row').first().waitFor();
      // Evaluated in the page, where document and window exist.
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await shoot(page, 'requests-phone');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await shoot(page, 'sign-in');
    } finally {
      await context.close();
    }
    expect(cspViolations).toEqual([]);
  }, 60_000);
});

/** Retries `check` (an assertion on what the page shows, which polls and re-renders) until it passes. */
async function eventually(check: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 100));
    }
  }
}

/** Waits for the table captioned `caption` to show its "Nothing yet." row, which it renders only once its data arrived empty (console/src/ui.tsx). */
const loadedEmpty = (page: Page, caption: string) => page.locator('table', { has: page.locator('caption', { hasText: caption }) }).locator('td.empty').waitFor({ timeout: 15_000 });
const count = (locator: Locator, expected: number) => eventually(async () => expect(await locator.count()).toBe(expected));
const text = (locator: Locator, pattern: string | RegExp) => eventually(async () => expect(await locator.innerText()).toMatch(pattern));

