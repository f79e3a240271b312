import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import { AdvisoryLock, withAdvisoryLock } from '../database/advisory-lock';
import { DirectDatabase } from '../database/database.module';

export type JobHandler<T> = (job: QueuedJob<T>) => Promise<void>;

export interface QueuedJob<T> {
  /** pg-boss's id of the job, the same on each of its retries. */
  id: string;
  data: T;
}

/** Handles a fetched batch at once; answers one settled result per job, in the batch's order. */
export type BatchHandler<T> = (jobs: QueuedJob<T>[]) => Promise<PromiseSettledResult<unknown>[]>;

/** Jobs fetched a poll (every 0.5 s, or at once after a full batch); a batch of 20 let a backlog of deliveries grow (bench/HISTORY.md). */
export const WORK_BATCH_SIZE = 100;

export interface QueueDefinition {
  name: string;
  /** A job that neither completes nor fails within this time (its worker died) is retried. */
  expireInSeconds: number;
  retryLimit: number;
  retryDelaySeconds?: number;
  /**
   * The queue a job is copied to when it fails for good: its last retry failed, or its last run expired
   * (a worker that died runs no handler, so only pg-boss sees that end). Define that queue first.
   */
  deadLetter?: string;
}

/**
 * Background jobs on pg-boss, in the same PostgreSQL. Jobs are enqueued by the operations' own
 * functions (`job_enqueue`, migration Operations), in the call that makes the effect (the outbox
 * pattern): a job exists if and only if the effect that asked for it committed. pg-boss's workers
 * connect directly (DATABASE_DIRECT_URL): they hold sessions.
 */
@Injectable()
export class JobQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JobQueue.name);
  private readonly boss: PgBoss;

  constructor(private readonly database: DirectDatabase) {
    // Expired jobs (their worker died, or lost the database mid-job) are noticed every 10 s, not 120.
    this.boss = new PgBoss({ connectionString: database.url, max: 4, application_name: 'ledgerline-jobs', maintenanceIntervalSeconds: 10 });
    this.boss.on('error', (error) => this.logger.error({ err: error }, 'Job queue error'));
  }

  async onModuleInit(): Promise<void> {
    process.on('unhandledRejection', this.absorbPgBossRejection);
    await this.boss.start();
  }

  /**
   * pg-boss 10 completes and fails jobs without awaiting the query (timgit/pg-boss#577): during a
   * database outage that rejection is unhandled and would kill the process. Those are logged; the
   * job expires and is retried once the database is back. Any other unhandled rejection still crashes.
   */
  private readonly absorbPgBossRejection = (reason: unknown): void => {
    if (reason instanceof Error && /[\\/]pg-boss[\\/]/.test(reason.stack ?? '')) {
      this.logger.error({ err: reason }, 'Job queue lost the database; the job will be retried');
      return;
    }
    throw reason;
  };

  async onApplicationShutdown(): Promise<void> {
    // Lets jobs in progress finish before the pool closes.
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    process.off('unhandledRejection', this.absorbPgBossRejection);
  }

  /**
   * Creates the queue, or brings an existing one's options up to date with this instance's. pg-boss
   * creates a queue by attaching a table partition, and instances creating queues at the same moment
   * deadlock in it (a lost deadlock fails the boot), so definitions take turns across instances.
   * Retries wait `retryDelaySeconds`, doubling each time (pg-boss's backoff).
   */
  private async define(queue: QueueDefinition): Promise<void> {
    const options = {
      name: queue.name,
      expireInSeconds: queue.expireInSeconds,
      retryLimit: queue.retryLimit,
      retryDelay: queue.retryDelaySeconds ?? 1,
      retryBackoff: true,
      // pg-boss refuses the key unless it names a queue.
      ...(queue.deadLetter ? { deadLetter: queue.deadLetter } : {}),
    };
    const session = new Client({ connectionString: this.database.url, application_name: 'ledgerline-jobs' });
    // Unheard, an 'error' event (the server going away) would end the process; the awaited calls report it.
    session.on('error', () => undefined);
    await session.connect();
    try {
      await withAdvisoryLock(session, AdvisoryLock.jobQueues, async () => {
        if (await this.boss.getQueue(queue.name)) await this.boss.updateQueue(queue.name, options);
        else await this.boss.createQueue(queue.name, options);
        // A job takes its dead-letter queue from its queue when enqueued: jobs waiting from before get it now.
        if (queue.deadLetter) {
          await session.query(`UPDATE pgboss.job SET dead_letter = $2 WHERE name = $1 AND state < 'completed' AND dead_letter IS DISTINCT FROM $2`, [
            queue.name,
            queue.deadLetter,
          ]);
        }
      });
    } finally {
      await session.end();
    }
  }

  /** Each job of a batch on its own: see workInBatches. */
  work<T extends object>(queue: QueueDefinition, handler: JobHandler<T>): Promise<void> {
    return this.workInBatches<T>(queue, (jobs) => Promise.allSettled(jobs.map(handler)));
  }

  /**
   * pg-boss fetches up to `batchSize` jobs a poll, then waits for the next poll: a batch of one
   * would cap a worker at two jobs a second. The handler answers one result per job, in order, and
   * each rejected job fails alone (pg-boss then completes only the jobs still active), so one
   * failure never reruns the others; a handler that throws fails the whole batch. The queue is
   * defined first: every queue has exactly one worker, which owns its definition.
   */
  async workInBatches<T extends object>(queue: QueueDefinition, handler: BatchHandler<T>): Promise<void> {
    await this.define(queue);
    let workerId: string | undefined;
    const options = { pollingIntervalSeconds: 0.5, batchSize: WORK_BATCH_SIZE };
    workerId = await this.boss.work<T>(queue.name, options, async (jobs) => {
      const results = await handler(jobs.map((job) => ({ id: job.id, data: job.data })));
      for (const [index, result] of results.entries()) {
        if (result.status === 'rejected') {
          const reason = result.reason instanceof Error ? { message: result.reason.message } : { message: String(result.reason) };
          await this.boss.fail(queue.name, jobs[index].id, reason);
        }
      }
      // A full batch suggests more are waiting: fetch again at once instead of after the polling interval.
      if (jobs.length === WORK_BATCH_SIZE && workerId) this.boss.notifyWorker(workerId);
    });
  }
}
