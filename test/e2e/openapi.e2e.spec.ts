import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { createTestDatabase } from '../support/database';
import { startServerProcess } from '../support/server-process';
import { startTestApp, TestApp } from '../support/test-app';

/** Debian's chromium; `.ci/run` installs it where missing. */
const CHROMIUM = '/usr/bin/chromium';

interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean; example?: unknown; schema?: { example?: unknown } }>;
  responses: Record<string, { headers?: Record<string, unknown>; content?: unknown }>;
}

describe('OpenAPI', () => {
  let t: TestApp;
  let document: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { properties?: Record<string, { example?: unknown }> }> } };

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
      expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['400', '401', '409', '422', '500']));
    }
    expect(document.paths['/v1/wallets'].post.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', required: false }));
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
