import { JobQueue, QueuedJob, QueueDefinition } from '../../src/jobs/job-queue';
import { createTestDatabase, TestDatabase } from '../support/database';
import { until } from '../support/poll';

const INSTANCES = 4;
const ROUNDS = 3;
const QUEUES: QueueDefinition[] = [
  { name: 'first-queue', expireInSeconds: 15, retryLimit: 3 },
  { name: 'second-queue', expireInSeconds: 60, retryLimit: 5, retryDelaySeconds: 2 },
];
const idle = async (): Promise<void> => undefined;

interface Instance {
  jobs: JobQueue;
}

async function bootInstance(url: string): Promise<Instance> {
  const jobs = new JobQueue({ url });
  await jobs.onModuleInit();
  return { jobs };
}

async function shutDown({ jobs }: Instance): Promise<void> {
  await jobs.onApplicationShutdown();
}

/**
 * Instances that boot together each define the queues they work. pg-boss creates a queue by
 * attaching a partition, and unserialised creations deadlock: the loser's boot used to fail (the
 * multi-instance suite saw a server never become ready). Every round starts from a database with no queues.
 */
describe('job queues: instances booting together', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
  });

  it(`${INSTANCES} instances defining the same queues at once all start, ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const db = await createTestDatabase();
      databases.push(db);
      const instances = await Promise.all(Array.from({ length: INSTANCES }, () => bootInstance(db.url)));
      try {
        const outcomes = await Promise.allSettled(instances.flatMap(({ jobs }) => QUEUES.map((queue) => jobs.work(queue, idle))));
        expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
        const rows = await db.query('SELECT name, retry_limit FROM pgboss.queue WHERE name = ANY($1) ORDER BY name', [QUEUES.map((queue) => queue.name)]);
        expect(rows).toEqual([
          { name: 'first-queue', retry_limit: 3 },
          { name: 'second-queue', retry_limit: 5 },
        ]);
      } finally {
        await Promise.all(instances.map(shutDown));
      }
    }
  }, 60_000);

  it('brings an existing queue up to date with the definition of the instance that starts', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const before = await bootInstance(db.url);
    await before.jobs.work({ name: 'tuned-queue', expireInSeconds: 15, retryLimit: 3 }, idle);
    await shutDown(before);

    const after = await bootInstance(db.url);
    try {
      await after.jobs.work({ name: 'tuned-queue', expireInSeconds: 30, retryLimit: 7, retryDelaySeconds: 4 }, idle);
      const [queue] = await db.query('SELECT expire_seconds, retry_limit, retry_delay FROM pgboss.queue WHERE name = $1', ['tuned-queue']);
      expect(queue).toEqual({ expire_seconds: 30, retry_limit: 7, retry_delay: 4 });
    } finally {
      await shutDown(after);
    }
  });

  it('tells a handler whether a failure of this run is its job’s last', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const instance = await bootInstance(db.url);
    try {
      const runs: boolean[] = [];
      const failing = async ({ lastAttempt }: QueuedJob<object>): Promise<void> => {
        runs.push(lastAttempt);
        throw new Error('fails every time');
      };
      await instance.jobs.work({ name: 'failing-queue', expireInSeconds: 15, retryLimit: 1, retryDelaySeconds: 1 }, failing);
      await db.query(`SELECT job_enqueue('failing-queue', '{}'::jsonb, now())`);
      // The first run and its one retry; then pg-boss marks the job failed.
      await until(async () => (await db.query(`SELECT 1 FROM pgboss.job WHERE name = 'failing-queue' AND state = 'failed'`)).length === 1);
      expect(runs).toEqual([false, true]);
    } finally {
      await shutDown(instance);
    }
  });
});
