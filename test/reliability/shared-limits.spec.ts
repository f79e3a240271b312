import { randomBytes } from 'node:crypto';
import { createTestDatabase, runId, TestDatabase } from '../support/database';
import { freePort, ServerProcess, startServerProcess } from '../support/server-process';
import { send } from './support/http';
import { ADMIN_TOKEN } from '../support/test-app';
import { createTenant, readiness, serviceEnv, Tenant } from './support/ledgerline';
import { keysUnder, MACHINE_REDIS_URL, RedisProcess, startRedis } from './support/redis';
import { stopServer } from './support/servers';

const INSTANCES = 3;
const LIMIT = 30;
const FAILURES = 9;
/** Longest answer accepted while Redis is dead or hung: the service waits on Redis at most 500 ms a call. */
const ANSWER_BOUND_MS = 2_500;

const FALLBACK_LINE = /Redis is unreachable/g;
const SHARED_LINE = /Rate limits are counted in Redis/g;

interface Tally {
  status: Record<number, number>;
  slowestMs: number;
}

/** Sends `count` requests one after another, round robin over `servers`, and tallies the statuses per instance. */
async function roundRobin(servers: ServerProcess[], count: number, headers: Record<string, string>): Promise<Tally[]> {
  const tallies: Tally[] = servers.map(() => ({ status: {}, slowestMs: 0 }));
  for (let n = 0; n < count; n++) {
    const tally = tallies[n % servers.length];
    const started = Date.now();
    const reply = await send(servers[n % servers.length].baseUrl, { method: 'GET', path: '/v1/wallets', headers });
    tally.slowestMs = Math.max(tally.slowestMs, Date.now() - started);
    tally.status[reply.status] = (tally.status[reply.status] ?? 0) + 1;
  }
  return tallies;
}

const total = (tallies: Tally[], status: number) => tallies.reduce((sum, tally) => sum + (tally.status[status] ?? 0), 0);
const statuses = (tallies: Tally[]) => [...new Set(tallies.flatMap((tally) => Object.keys(tally.status).map(Number)))].sort();
const occurrences = (server: ServerProcess, line: RegExp) => server.output().match(line)?.length ?? 0;

/**
 * A run that straddles a minute boundary may accept a little more: the new window counts the old
 * one's requests at a weight that falls by 1/60 a second (the sliding-window counter).
 */
const boundarySlack = (limit: number, ms: number) => Math.ceil((limit * ms) / 60_000);

async function bootInstances(count: number, env: Record<string, string>): Promise<ServerProcess[]> {
  const boots = await Promise.allSettled(Array.from({ length: count }, () => startServerProcess(env)));
  const failed = boots.find((boot): boot is PromiseRejectedResult => boot.status === 'rejected');
  const started = boots.flatMap((boot) => (boot.status === 'fulfilled' ? [boot.value] : []));
  if (failed) {
    await Promise.all(started.map((server) => stopServer(server)));
    throw failed.reason;
  }
  return started;
}

/**
 * Per-client rate limits and the failed-authentication throttle with REDIS_URL: three server
 * processes count in one Redis, so together they allow one limit; with Redis unreachable, dead or
 * hung, each counts its own, answers without a 5xx and without waiting long, and says so once.
 */
describe('reliability: limits shared through Redis', () => {
  let db: TestDatabase;
  const servers: ServerProcess[] = [];
  let ownRedis: RedisProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => stopServer(server)));
    await ownRedis?.kill();
    await db.drop();
  });

  describe('three instances, one Redis', () => {
    // A prefix of this run's own: parallel runs, and earlier ones, count apart in the machine's Redis.
    const prefix = `ledgerline-test-${runId()}-${randomBytes(4).toString('hex')}`;
    let instances: ServerProcess[];
    let tenant: Tenant;

    beforeAll(async () => {
      const env = serviceEnv(db.url, {
        REDIS_URL: MACHINE_REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        RATE_LIMIT_PER_MINUTE: String(LIMIT),
        AUTH_FAILURES_PER_MINUTE: String(FAILURES),
      });
      instances = await bootInstances(INSTANCES, env);
      servers.push(...instances);
      tenant = await createTenant(instances[0].baseUrl, 'shared-limit');
    }, 120_000);

    it(`allow one client ${LIMIT} requests a minute between them, not ${INSTANCES * LIMIT}`, async () => {
      const started = Date.now();
      const tallies = await roundRobin(instances, INSTANCES * LIMIT, tenant.headers);
      const ms = Date.now() - started;
      console.log(
        `[shared-limits] rate limit ${LIMIT}/min over ${INSTANCES} instances, ${INSTANCES * LIMIT} requests round robin in ${ms} ms: ` +
          `accepted ${total(tallies, 200)} (per instance ${tallies.map((tally) => tally.status[200] ?? 0).join(', ')}), refused ${total(tallies, 429)}`,
      );
      expect(statuses(tallies)).toEqual([200, 429]);
      expect(total(tallies, 200)).toBeGreaterThanOrEqual(LIMIT);
      expect(total(tallies, 200)).toBeLessThanOrEqual(LIMIT + boundarySlack(LIMIT, ms));
      for (const tally of tallies) expect(tally.status[200]).toBeGreaterThan(0);
      expect((await keysUnder(MACHINE_REDIS_URL, prefix)).length).toBeGreaterThan(0);
      for (const instance of instances) expect(occurrences(instance, FALLBACK_LINE)).toBe(0);
    });

    it(`allow one address ${FAILURES} failed authentications a minute between them, then refuse it everywhere`, async () => {
      const wrongSecret = { ...tenant.headers, 'x-api-secret': 'sk_wrong' };
      const started = Date.now();
      const tallies = await roundRobin(instances, INSTANCES * FAILURES, wrongSecret);
      const ms = Date.now() - started;
      console.log(
        `[shared-limits] failed-auth throttle ${FAILURES}/min over ${INSTANCES} instances, ${INSTANCES * FAILURES} wrong secrets round robin in ${ms} ms: ` +
          `401 ${total(tallies, 401)} (per instance ${tallies.map((tally) => tally.status[401] ?? 0).join(', ')}), 429 ${total(tallies, 429)}`,
      );
      expect(statuses(tallies)).toEqual([401, 429]);
      expect(total(tallies, 401)).toBeGreaterThanOrEqual(FAILURES);
      expect(total(tallies, 401)).toBeLessThanOrEqual(FAILURES + boundarySlack(FAILURES, ms));
      // The address is refused on every instance, even with the right secret, whichever instance saw its failures.
      for (const instance of instances) {
        const reply = await send(instance.baseUrl, { method: 'GET', path: '/v1/wallets', headers: tenant.headers });
        expect([reply.status, Number(reply.headers.get('retry-after')) >= 1]).toEqual([429, true]);
      }
    });
  });

  it(`hold a burst of admin token guesses sent at once to ${FAILURES}, though each waits on Redis`, async () => {
    const prefix = `ledgerline-test-${runId()}-${randomBytes(4).toString('hex')}-burst`;
    const [instance] = await bootInstances(1, serviceEnv(db.url, { REDIS_URL: MACHINE_REDIS_URL, REDIS_KEY_PREFIX: prefix, AUTH_FAILURES_PER_MINUTE: String(FAILURES) }));
    servers.push(instance);
    const guess = (token: string) =>
      send(instance.baseUrl, { method: 'POST', path: '/v1/admin/clients', headers: { authorization: `Bearer ${token}` }, body: { name: 'burst' } });
    const started = Date.now();
    const burst = await Promise.all([...Array.from({ length: 40 }, (_, n) => guess(`wrong-admin-token-${n}`)), guess(ADMIN_TOKEN)]);
    const count = (status: number) => burst.filter((reply) => reply.status === status).length;
    console.log(`[shared-limits] 40 wrong admin tokens and the right one at once: 401 ${count(401)}, 429 ${count(429)}, 201 ${count(201)}`);
    // Each guess is counted before it is compared, so no more than the bound are ever compared; the
    // right token gets through only from inside the bound.
    expect(count(401) + count(201)).toBeLessThanOrEqual(FAILURES + boundarySlack(FAILURES, Date.now() - started));
    expect(count(401) + count(429) + count(201)).toBe(41);
    // Counted in Redis, not by the in-process fallback, which would hold the same bound on one instance.
    expect((await keysUnder(MACHINE_REDIS_URL, prefix)).length).toBeGreaterThan(0);
    expect(occurrences(instance, FALLBACK_LINE)).toBe(0);
  });

  it('count per process, answer every request and stay ready while REDIS_URL points to a closed port', async () => {
    const closedPort = await freePort();
    const env = serviceEnv(db.url, { REDIS_URL: `redis://127.0.0.1:${closedPort}`, RATE_LIMIT_PER_MINUTE: String(LIMIT) });
    const instances = await bootInstances(INSTANCES, env);
    servers.push(...instances);
    const tenant = await createTenant(instances[0].baseUrl, 'no-redis');
    const perInstance = LIMIT + 5;
    const tallies = await roundRobin(instances, INSTANCES * perInstance, tenant.headers);
    console.log(
      `[shared-limits] Redis on a closed port: ${INSTANCES * perInstance} requests round robin: accepted per instance ` +
        `${tallies.map((tally) => tally.status[200] ?? 0).join(', ')}, slowest answer ${Math.max(...tallies.map((tally) => tally.slowestMs))} ms`,
    );
    expect(statuses(tallies)).toEqual([200, 429]);
    // Each process counts its own: together they allow one limit each.
    for (const tally of tallies) expect(tally.status).toEqual({ 200: LIMIT, 429: perInstance - LIMIT });
    for (const tally of tallies) expect(tally.slowestMs).toBeLessThan(ANSWER_BOUND_MS);
    for (const instance of instances) {
      expect(await readiness(instance.baseUrl)).toBe(200);
      expect(occurrences(instance, FALLBACK_LINE)).toBe(1);
    }
  });

  it('fall back at once when Redis dies or hangs mid-run, and share again once it is back', async () => {
    const redisPort = await freePort();
    ownRedis = await startRedis(redisPort);
    const prefix = `ledgerline-test-${runId()}-own`;
    // At info the service logs the switch back to Redis too (and a line per request).
    const [instance] = await bootInstances(1, serviceEnv(db.url, { REDIS_URL: ownRedis.url, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'info' }));
    servers.push(instance);
    const tenant = await createTenant(instance.baseUrl, 'redis-dies');
    const phase = async (name: string, count: number) => {
      const [tally] = await roundRobin([instance], count, tenant.headers);
      const ready = await readiness(instance.baseUrl);
      console.log(`[shared-limits] ${name}: ${JSON.stringify(tally.status)}, slowest ${tally.slowestMs} ms, /health/ready ${ready}`);
      expect({ name, status: tally.status, ready }).toEqual({ name, status: { 200: count }, ready: 200 });
      expect(tally.slowestMs).toBeLessThan(ANSWER_BOUND_MS);
    };

    await phase('Redis up', 10);
    expect((await keysUnder(ownRedis.url, prefix)).length).toBeGreaterThan(0);
    expect(occurrences(instance, SHARED_LINE)).toBe(1);

    await ownRedis.kill();
    await phase('Redis killed', 20);
    expect(occurrences(instance, FALLBACK_LINE)).toBe(1);

    // Back on the same port, empty: the client reconnects by itself, and counting moves back to Redis.
    ownRedis = await startRedis(redisPort);
    const deadline = Date.now() + 15_000;
    while ((await keysUnder(ownRedis.url, prefix)).length === 0 && Date.now() < deadline) await phase('Redis restarted', 1);
    expect((await keysUnder(ownRedis.url, prefix)).length).toBeGreaterThan(0);
    expect(occurrences(instance, SHARED_LINE)).toBe(2);

    // Hung: the connection stays open but nothing answers. One call waits its bound, then none waits.
    ownRedis.child.kill('SIGSTOP');
    await phase('Redis hung', 20);
    expect(occurrences(instance, FALLBACK_LINE)).toBe(2);
    ownRedis.child.kill('SIGCONT');
    const resumedBy = Date.now() + 15_000;
    while (occurrences(instance, SHARED_LINE) < 3 && Date.now() < resumedBy) await phase('Redis resumed', 1);
    expect(occurrences(instance, SHARED_LINE)).toBe(3);
  });
});
