import { JobQueue, QueueDefinition } from '../../src/jobs/job-queue';
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

  it('hands a job that failed for good to its dead-letter queue: a last retry that threw, a last run whose worker died, a job queued before', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const dying = { name: 'dying-queue', expireInSeconds: 1, retryLimit: 1, retryDelaySeconds: 1 };
    const jobOf = async (run: string) => (await db.query(`SELECT dead_letter, state FROM pgboss.job WHERE name = $1 AND data->>'run' = $2`, [dying.name, run]))[0];

    // Queued (for later) while its queue had no dead-letter queue.
    const before = await bootInstance(db.url);
    await before.jobs.work(dying, idle);
    await db.query(`SELECT job_enqueue($1, '{"run": "queued before"}'::jsonb, now() + interval '1 hour')`, [dying.name]);
    await shutDown(before);
    expect(await jobOf('queued before')).toEqual({ dead_letter: null, state: 'created' });

    const instance = await bootInstance(db.url);
    try {
      const dead: string[] = [];
      const runs: string[] = [];
      await instance.jobs.work<{ run: string }>({ name: 'graveyard', expireInSeconds: 15, retryLimit: 0 }, async ({ data }) => {
        dead.push(data.run);
      });
      await instance.jobs.work<{ run: string }>({ ...dying, deadLetter: 'graveyard' }, async ({ data }) => {
        runs.push(data.run);
        throw new Error('fails every time');
      });
      expect(await jobOf('queued before')).toEqual({ dead_letter: 'graveyard', state: 'created' });

      await db.query(`SELECT job_enqueue($1, '{"run": "throws"}'::jsonb, now())`, [dying.name]);
      // A last run whose worker died: active, past its expiry, no handler left to answer (pg-boss's maintenance, every 10 s, sees it).
      await db.query(`SELECT job_enqueue($1, '{"run": "worker died"}'::jsonb, now() + interval '1 hour')`, [dying.name]);
      await db.query(
        `UPDATE pgboss.job SET state = 'active', started_on = now() - interval '1 minute', retry_count = retry_limit WHERE name = $1 AND data->>'run' = 'worker died'`,
        [dying.name],
      );

      await until(async () => dead.length === 2, 60_000);
      expect(dead.sort()).toEqual(['throws', 'worker died']);
      expect(runs).toEqual(['throws', 'throws']); // the first run and its one retry
      expect(await jobOf('throws')).toEqual({ dead_letter: 'graveyard', state: 'failed' });
      expect(await jobOf('worker died')).toEqual({ dead_letter: 'graveyard', state: 'failed' });
    } finally {
      await shutDown(instance);
    }
  }, 90_000);
});
