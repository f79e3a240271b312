import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JobQueue, QueuedJob, QueueDefinition } from '../jobs/job-queue';
import { MetricsService } from '../metrics/metrics.service';
import { presentPayout } from './payouts.presenter';
import { PayoutsRepository } from './payouts.repository';
import { PAYOUT_SETTLEMENT_QUEUE, SettlementJob } from './payouts.service';
import { SandboxPayoutRail } from './sandbox-payout-rail';

export type SettlementResult = 'COMPLETED' | 'FAILED' | 'ALREADY_SETTLED';

/**
 * Where pg-boss puts a settlement that failed for good: its last retry threw, or its last run expired (its
 * worker died, or ran past 15 s). pg-boss writes these jobs itself, with the failed job's retry limit and
 * no backoff, not with this definition's options. The reconciler leaves a payout alone while its job here
 * is not done (migration DeadLetteredSettlements).
 */
const ABANDONED_QUEUE: QueueDefinition = { name: 'payout-settlement-abandoned', expireInSeconds: 15, retryLimit: 20 };

/** A settlement takes milliseconds; one still active after 15 s lost its worker and is retried. */
const SETTLEMENT_QUEUE: QueueDefinition = { name: PAYOUT_SETTLEMENT_QUEUE, expireInSeconds: 15, retryLimit: 20, deadLetter: ABANDONED_QUEUE.name };

/**
 * The payout worker. Each payout settles exactly once, however often the job runs, crashes or races:
 * 1. the rail is called outside any transaction with the downstream key `payout:<id>`, so a repeated
 *    call pays nothing more and returns the first outcome;
 * 2. the status moves from PENDING only by a conditional UPDATE, in the same call as the ledger
 *    postings (and the refund), so only one run ever writes them.
 */
@Injectable()
export class PayoutSettlement implements OnApplicationBootstrap {
  private readonly logger = new Logger(PayoutSettlement.name);

  constructor(
    private readonly payouts: PayoutsRepository,
    private readonly rail: SandboxPayoutRail,
    private readonly jobs: JobQueue,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.work<SettlementJob>(ABANDONED_QUEUE, (job) => this.abandon(job));
    await this.jobs.work<SettlementJob>(SETTLEMENT_QUEUE, (job) => this.run(job));
  }

  /** One run of a settlement job. */
  async run({ data }: QueuedJob<SettlementJob>): Promise<void> {
    const result = await this.settle(data);
    if (result !== 'ALREADY_SETTLED') this.metrics.countPayout(result);
    this.logger.log({ payoutId: data.payoutId, result }, 'Payout settled');
  }

  /** A settlement that ran out of retries: the payout is marked for an operator, so the reconciler leaves it. */
  async abandon({ data }: QueuedJob<SettlementJob>): Promise<void> {
    if (await this.payouts.markSettlementAbandoned(data.clientId, data.payoutId)) {
      this.logger.error({ payoutId: data.payoutId }, 'Payout settlement ran out of retries; left PENDING for an operator (why: the failed job\'s output in pgboss.job)');
    } else {
      this.logger.log({ payoutId: data.payoutId }, 'Payout settlement ran out of retries, but the payout is settled or marked already');
    }
  }

  async settle({ clientId, payoutId }: SettlementJob): Promise<SettlementResult> {
    const payout = await this.payouts.findOne(clientId, payoutId);
    if (!payout || payout.status !== 'PENDING') return 'ALREADY_SETTLED';

    const { outcome, failureReason } = await this.rail.submit({
      clientId,
      idempotencyKey: `payout:${payout.id}`,
      amount: payout.amount,
      currency: payout.currency,
      destination: payout.destination,
    });
    const settled = { ...payout, status: outcome, failureReason, updatedAt: new Date() };
    return this.payouts.settle(settled, presentPayout(settled));
  }
}
