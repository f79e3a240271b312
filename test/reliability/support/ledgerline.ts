import { ADMIN_TOKEN } from '../../support/test-app';
import { bodyOf, expectStatus, send } from './http';

export const ADMIN_HEADERS = { authorization: `Bearer ${ADMIN_TOKEN}` };

/**
 * The environment of a server process under test. Small pools, because several instances and other
 * test runs share one PostgreSQL (max_connections 100); a rate limit out of reach, because the
 * load is one client's and the rate limiter is not what these tests are about.
 */
export function serviceEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    ADMIN_TOKEN,
    DATABASE_POOL_SIZE: '8',
    RATE_LIMIT_PER_MINUTE: '10000000',
    ...extra,
  };
}

/** A client (tenant) of the service: the headers that authenticate it. */
export interface Tenant {
  headers: Record<string, string>;
}

export async function createTenant(baseUrl: string, name: string): Promise<Tenant> {
  const reply = await send(baseUrl, { method: 'POST', path: '/v1/admin/clients', headers: ADMIN_HEADERS, body: { name } });
  const client = bodyOf<{ api_key: string; api_secret: string }>(expectStatus(reply, 201, 'client creation'));
  return { headers: { 'x-api-key': client.api_key, 'x-api-secret': client.api_secret } };
}

export async function createWallet(baseUrl: string, tenant: Tenant, currency: string): Promise<string> {
  const reply = await send(baseUrl, { method: 'POST', path: '/v1/wallets', headers: tenant.headers, body: { currency } });
  return bodyOf<{ id: string }>(expectStatus(reply, 201, 'wallet creation')).id;
}

export interface LedgerReport {
  ok: boolean;
  currencies: Array<{ currency: string; sum: number | string }>;
  mismatches: unknown[];
}

/** GET /v1/admin/ledger/check: every balance equals its entries, every currency sums to zero. */
export async function checkLedger(baseUrl: string): Promise<LedgerReport> {
  const reply = await send(baseUrl, { method: 'GET', path: '/v1/admin/ledger/check', headers: ADMIN_HEADERS });
  return bodyOf<LedgerReport>(expectStatus(reply, 200, 'ledger check'));
}

/** The status /health/ready answers, or 0 when the process does not answer at all. */
export async function readiness(baseUrl: string): Promise<number> {
  return send(baseUrl, { method: 'GET', path: '/health/ready' }, 5_000).then(
    (reply) => reply.status,
    () => 0,
  );
}
