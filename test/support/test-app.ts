import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/app.factory';
import { EnvSource } from '../../src/config/env.schema';
import { createTestDatabase, poolerUrl, TestDatabase } from './database';
import { ResponseContract } from './response-contract';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** Headers plus a fresh Idempotency-Key: one logical operation. */
export function withKey(headers: Record<string, string>, key: string = randomUUID()): Record<string, string> {
  return { ...headers, 'idempotency-key': key };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  /** Parsed body; loosely typed because each test asserts the shape it expects. */
  json: any;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as is. */
  body?: unknown;
}

export interface Credentials {
  clientId: string;
  headers: Record<string, string>;
}

export interface TestApp {
  app: NestFastifyApplication;
  db: TestDatabase;
  request(method: string, url: string, options?: RequestOptions): Promise<Reply>;
  /** A new client (tenant) created through the admin API. */
  newClient(name?: string): Promise<Credentials>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Another instance's database, shared instead of a fresh one (and left for its owner to drop). */
  database?: TestDatabase;
}

/** The whole application on its own fresh database, driven in-process through Fastify's inject. */
export async function startTestApp(env: EnvSource = {}, { database }: TestAppOptions = {}): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const pooled = poolerUrl(db.name);
  const app = await createApp({
    NODE_ENV: 'test',
    // Under TEST_POOLER_URL, requests go through the pooler and what needs a session (migrations, jobs) goes direct.
    ...(pooled ? { DATABASE_URL: pooled, DATABASE_DIRECT_URL: db.url } : { DATABASE_URL: db.url }),
    DATABASE_POOL_SIZE: '8',
    // Every in-process request comes from 127.0.0.1: suites that try many bad credentials would trip the
    // failed-authentication throttle, which test/e2e/auth.e2e.spec.ts tests on its own.
    AUTH_FAILURES_PER_MINUTE: '1000000',
    // Background runs on the request pool would land in statement counts (round-trips.e2e): suites run them by hand.
    PAYOUT_RECONCILE_INTERVAL_SECONDS: '86400',
    IDEMPOTENCY_SWEEP_INTERVAL_SECONDS: '86400',
    ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    ...env,
  }, { docsUi: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  // Every answer a test sees is held to the OpenAPI document the app serves.
  const contract = await ResponseContract.of((await app.inject({ method: 'GET', url: '/docs-json' })).json());

  const request = async (method: string, url: string, options: RequestOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await app.inject({ method: method as 'GET', url, headers, payload });
    let json: unknown;
    try {
      json = response.body ? JSON.parse(response.body) : undefined;
    } catch {
      json = undefined;
    }
    const reply = { status: response.statusCode, headers: response.headers, body: response.body, json };
    const mismatches = contract.mismatches(method, url, reply);
    if (mismatches.length > 0) throw new Error(`The response does not match the OpenAPI document:\n  ${mismatches.join('\n  ')}`);
    return reply;
  };

  return {
    app,
    db,
    request,
    newClient: async (name = 'test client') => {
      const created = await request('POST', '/v1/admin/clients', {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        body: { name },
      });
      if (created.status !== 201) throw new Error(`client creation failed: ${created.status} ${created.body}`);
      return {
        clientId: created.json.id,
        headers: { 'x-api-key': created.json.api_key, 'x-api-secret': created.json.api_secret },
      };
    },
    close: async () => {
      await app.close();
      if (!database) await db.drop();
    },
  };
}
