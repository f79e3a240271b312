import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createTestDatabase } from '../support/database';
import { startServerProcess } from '../support/server-process';
import { ResponseContract } from '../support/response-contract';
import { startTestApp, TestApp } from '../support/test-app';

/** Debian's chromium; `.ci/run` installs it where missing. */
const CHROMIUM = '/usr/bin/chromium';

const ROOT = join(__dirname, '..', '..');

interface SpectralFinding {
  code: string;
  path: string[];
  message: string;
  /** 0 error, 1 warning, 2 information, 3 hint. */
  severity: number;
}

/** Lints `document` with the project's ruleset (.spectral.yaml: spectral:oas and our own rules), as `npx spectral lint` does. */
function spectralLint(document: unknown): SpectralFinding[] {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerline-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
    const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'spectral'), ['lint', file, '--ruleset', join(ROOT, '.spectral.yaml'), '--format', 'json', '--quiet'], {
      encoding: 'utf8',
    });
    // 0: nothing found, 1: findings; anything else is spectral failing to run.
    if (run.status !== 0 && run.status !== 1) throw new Error(`spectral did not run (exit ${run.status}): ${run.stderr}${run.stdout}`);
    return JSON.parse(run.stdout) as SpectralFinding[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean; example?: unknown; schema?: { example?: unknown } }>;
  responses: Record<string, { description?: string; headers?: Record<string, unknown>; content?: unknown }>;
}

describe('OpenAPI', () => {
  let t: TestApp;
  let document: {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, { properties?: Record<string, { example?: unknown }> }>; securitySchemes: Record<string, unknown> };
  };

  beforeAll(async () => {
    t = await startTestApp();
    document = (await t.request('GET', '/docs-json')).json;
  });
  afterAll(() => t.close());

  it('documents every endpoint of the contract', () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        'GET /health',
        'GET /health/ready',
        'POST /v1/wallets',
        'GET /v1/wallets',
        'GET /v1/wallets/{id}',
        'GET /v1/wallets/{id}/transactions',
        'POST /v1/wallets/{id}/deposits',
        'GET /v1/products',
        'POST /v1/orders',
        'GET /v1/orders',
        'GET /v1/orders/{id}',
        'POST /v1/transfers',
        'GET /v1/transfers/{id}',
        'POST /v1/payouts',
        'GET /v1/payouts/{id}',
        'GET /v1/idempotency-keys/{key}',
        'POST /v1/admin/clients',
        'GET /v1/admin/ledger/check',
        'POST /api/v1/orders',
        'POST /api/v1/payouts',
        'POST /v1/order',
        'POST /client/api/orders',
        'POST /client/api/payouts',
        'POST /client/api/cart/items',
        'GET /client/api/cart',
        'DELETE /client/api/cart/items/{id}',
        'POST /client/api/cart/checkout',
      ]),
    );
  });

  it('marks the key required on money-moving POSTs and documents the idempotency headers and errors', () => {
    for (const path of ['/v1/wallets/{id}/deposits', '/v1/orders', '/v1/transfers', '/v1/payouts', '/api/v1/orders', '/client/api/orders', '/client/api/cart/checkout']) {
      const post = document.paths[path].post;
      expect(post.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
      expect(Object.keys(post.responses['201'].headers ?? {})).toEqual(['Idempotency-Key', 'Idempotency-Replayed', 'Idempotency-Created-At']);
      // "Retry shortly with the same key": 409, or 503 on Starship's routes, whose guide retries only 5xx.
      const retryShortly = path.startsWith('/v1/') ? '409' : '503';
      expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['400', '401', retryShortly, '422', '500']));
      expect(post.responses[retryShortly].description).toContain('IDEMPOTENCY_KEY_IN_USE');
    }
    expect(document.paths['/v1/wallets'].post.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', required: false }));
  });

  it('passes spectral lint (.spectral.yaml) with no error and no warning', () => {
    const findings = spectralLint(document)
      .filter((finding) => finding.severity <= 1)
      .map((finding) => `${finding.severity === 0 ? 'error' : 'warning'} ${finding.code} at ${finding.path.join('.')}: ${finding.message}`);
    expect(findings).toEqual([]);
  }, 30_000);

  it('the lint catches an operation without a description, an undeclared tag, and a parameter without an example', () => {
    const broken = structuredClone(document);
    const get = broken.paths['/v1/orders/{id}'].get as Operation & { description?: string; tags?: string[] };
    delete get.description;
    get.tags = ['not declared'];
    delete (get.parameters![0] as { example?: unknown }).example;
    expect(spectralLint(broken).map((finding) => `${finding.code} ${finding.path.join('.')}`)).toEqual(
      expect.arrayContaining([
        'operation-description paths./v1/orders/{id}.get',
        'operation-tag-defined paths./v1/orders/{id}.get.tags.0',
        'parameter-example paths./v1/orders/{id}.get.parameters.0',
      ]),
    );
  }, 30_000);

  it('documents every key carrier: accessTag beside the body of idempotent writes, client_order_id on orders', () => {
    for (const path of ['/v1/wallets/{id}/deposits', '/v1/orders', '/v1/transfers', '/v1/payouts', '/api/v1/orders', '/v1/wallets']) {
      const body = (document.paths[path].post as Operation & { requestBody: { content: Record<string, { schema: { allOf: Array<{ $ref: string }> } }> } }).requestBody;
      expect(body.content['application/json'].schema.allOf).toContainEqual({ $ref: '#/components/schemas/AccessTagCarrier' });
    }
    expect(document.paths['/v1/orders'].post.parameters).toContainEqual(expect.objectContaining({ name: 'client_order_id', in: 'query', required: false }));
    expect(document.paths['/v1/order'].post.parameters).toContainEqual(expect.objectContaining({ name: 'client_order_id', in: 'query', required: false }));
  });

  it('describes the admin token as an opaque bearer token, not a JWT', () => {
    expect(document.components.securitySchemes.admin).toEqual({ type: 'http', scheme: 'bearer', description: expect.any(String) });
  });

  it('holds answers to the document: a documented status, the fields it names with their types, and no body it does not describe', async () => {
    const contract = await ResponseContract.of(structuredClone(document) as never);
    const alice = await t.newClient();
    const created = await t.request('POST', '/v1/wallets', { headers: alice.headers, body: { currency: 'USD' } });
    const url = `/v1/wallets/${created.json.id}`;
    const wallet = await t.request('GET', url, { headers: alice.headers });
    const answer = (status: number, body: unknown) => ({ status, headers: wallet.headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

    expect(contract.mismatches('GET', url, wallet)).toEqual([]);
    expect(contract.mismatches('GET', url, answer(200, { ...wallet.json, colour: 'red' }))).toEqual([expect.stringMatching(/must NOT have additional properties.*colour/)]);
    expect(contract.mismatches('GET', url, answer(200, { ...wallet.json, balance: '0' }))).toEqual([expect.stringMatching(/body\/balance must be integer/)]);
    expect(contract.mismatches('GET', url, answer(418, wallet.json))).toEqual([expect.stringMatching(/answered 418, a status the document does not list/)]);
    expect(contract.mismatches('GET', url, answer(404, { error: { code: 'NOT_FOUND', message: 'Wallet not found', details: 7 } }))).toEqual(
      expect.arrayContaining([expect.stringMatching(/body\/error\/details must match exactly one schema in oneOf/)]),
    );
    expect(contract.mismatches('GET', url, answer(200, ''))).toEqual([expect.stringMatching(/with no body; the document describes a JSON body/)]);
    // Routes the document leaves out are not judged.
    expect(contract.mismatches('GET', '/v1/nowhere', answer(404, 'anything'))).toEqual([]);
  });

  it('documents the webhook routes, with an example for every parameter', () => {
    const webhookRoutes: Array<[string, string]> = [
      ['post', '/v1/webhooks'],
      ['get', '/v1/webhooks/{id}'],
      ['post', '/v1/webhooks/{id}/rotate-secret'],
      ['get', '/v1/webhooks/{id}/deliveries'],
      ['post', '/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver'],
    ];
    for (const [method, path] of webhookRoutes) {
      const operation = document.paths[path]?.[method];
      expect({ path, documented: operation !== undefined }).toEqual({ path, documented: true });
      for (const parameter of operation.parameters ?? []) {
        expect({ path, parameter: parameter.name, example: parameter.example ?? parameter.schema?.example }).toEqual({ path, parameter: parameter.name, example: expect.anything() });
      }
    }
    expect(document.paths['/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver'].post.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['id', 'delivery_id', 'Idempotency-Key']));
    expect(Object.keys(document.paths['/v1/webhooks/{id}/rotate-secret'].post.responses)).toContain('200');
    expect(Object.keys(document.paths['/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver'].post.responses)).toContain('202');
    const { WebhookWithSecretResponse, WebhookDeliveryResponse } = document.components.schemas;
    expect(WebhookWithSecretResponse.properties?.secret.example).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Object.keys(WebhookDeliveryResponse.properties ?? {})).toEqual(expect.arrayContaining(['status', 'response_code', 'created_at', 'next_retry_at']));
  });

  it('gives examples in the request and response models', () => {
    const { CreateOrderDto, OrderResponse, ErrorResponse } = document.components.schemas;
    expect(CreateOrderDto.properties?.product_id.example).toBe(123);
    expect(OrderResponse.properties?.amount.example).toBe(5000);
    expect(ErrorResponse.properties).toHaveProperty('error');
  });

  // Skipped only off CI on a machine without Chromium; CI (.ci/run installs it) always runs it.
  (existsSync(CHROMIUM) || process.env.CI === 'true' ? it : it.skip)('renders /docs of the built server in a headless Chromium, listing the orders endpoint', async () => {
    const db = await createTestDatabase();
    const server = await startServerProcess({ NODE_ENV: 'test', DATABASE_URL: db.url });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.baseUrl}/docs`);
      const orders = page.locator('.opblock-summary-path', { hasText: /^\/v1\/orders$/ }).first();
      await orders.waitFor({ state: 'visible', timeout: 20_000 });
      expect(await page.title()).toMatch(/Swagger UI/);
      expect(await page.locator('.opblock').count()).toBeGreaterThan(15);
    } finally {
      await browser.close();
      server.child.kill('SIGTERM');
      await server.exited;
      await db.drop();
    }
  }, 60_000);
});
