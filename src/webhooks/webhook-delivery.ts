import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { unsealSecret } from '../clients/credentials';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { JobQueue, QueuedJob } from '../jobs/job-queue';
import { MetricsService } from '../metrics/metrics.service';
import { CheckedDestination, checkDestination } from './destination-policy';
import { PinnedPoster } from './post-pinned';
import { signWebhook } from './webhook-secret';
import { DeliveryTarget, NewDelivery, WEBHOOK_DELIVERY_QUEUE, WebhooksRepository } from './webhooks.repository';

const DELIVERY_TIMEOUT_MS = 10_000;

/** What `outbox_emit` and `redeliver_webhook` enqueue: one event for one endpoint. */
export interface DeliveryJob {
  clientId: string;
  endpointId: string;
  eventId: string;
}

/** A receiver's "this endpoint is gone for good" (Standard Webhooks): it disables the endpoint. */
const GONE = 410;

/**
 * Delivers webhook events as Standard Webhooks 1.0 has them, at least once: retried with backoff
 * until a 2xx, and never again once a 2xx was logged; a 410 Gone disables the endpoint instead.
 * Runs in the job worker, outside any request, a fetched batch of jobs at a time: one statement
 * reads what the batch needs, the POSTs go out together over kept-alive connections, and one
 * statement logs every attempt.
 */
@Injectable()
export class WebhookDelivery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly poster = new PinnedPoster();

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly jobs: JobQueue,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // 16 retries, each wait doubling from WEBHOOK_RETRY_DELAY_SECONDS (2 s: 1.5 to 3 days in all, with pg-boss's jitter).
    const queue = {
      name: WEBHOOK_DELIVERY_QUEUE,
      expireInSeconds: 60,
      retryLimit: 16,
      retryDelaySeconds: this.config.get('WEBHOOK_RETRY_DELAY_SECONDS'),
    };
    await this.jobs.workInBatches<DeliveryJob>(queue, (jobs) => this.deliver(jobs));
  }

  onApplicationShutdown(): void {
    this.poster.close();
  }

  /** One result per job: rejected when its attempt failed, so the queue retries that job. */
  async deliver(jobs: QueuedJob<DeliveryJob>[]): Promise<PromiseSettledResult<void>[]> {
    const targets = await this.webhooks.findDeliveryTargets(jobs.map(({ id, data }) => ({ ...data, jobId: id })));
    // A URL is checked once a batch (in production that resolves its host), never once a job.
    const checked = new Map<string, Promise<CheckedDestination>>();
    const destinationOf = (url: string) => {
      if (!checked.has(url)) checked.set(url, checkDestination(url, this.config.isProduction));
      return checked.get(url)!;
    };
    // Settled one by one: a job whose attempt broke (an unreadable secret, say) fails alone, and the rest are still logged.
    const attempts = await Promise.allSettled(targets.map((target) => this.attempt(target, destinationOf)));
    const made = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' && attempt.value ? [attempt.value] : []));
    await this.webhooks.insertDeliveries(made);
    for (const attempt of made) this.metrics.countWebhookDelivery(attempt.delivered ? 'delivered' : 'failed');

    const gone = made.filter((attempt) => attempt.statusCode === GONE);
    for (const { clientId, endpointId } of gone) await this.webhooks.disableEndpoint(clientId, endpointId, this.clock.now());
    return attempts.map((settled): PromiseSettledResult<void> => {
      if (settled.status === 'rejected') return settled;
      const attempt = settled.value;
      // A 410 is not a failure to retry: the receiver asked for nothing more, this job included.
      return attempt && !attempt.delivered && attempt.statusCode !== GONE
        ? { status: 'rejected', reason: new Error(`webhook ${attempt.eventId} to ${attempt.endpointId}: ${attempt.error}`) }
        : { status: 'fulfilled', value: undefined };
    });
  }

  /** Sends one event to one endpoint and answers the attempt to log; nothing when there is nothing left to send. */
  private async attempt(target: DeliveryTarget, destinationOf: (url: string) => Promise<CheckedDestination>): Promise<NewDelivery | undefined> {
    const { url, secret_sealed: secretSealed, event_type: type, event_created_at: createdAt } = target;
    if (url === null || secretSealed === null || target.disabled_at || type === null || createdAt === null || target.acknowledged) return undefined;

    const body = JSON.stringify({ id: target.eventId, type, created_at: createdAt.toISOString(), data: target.event_data });
    const now = this.clock.now();
    const timestamp = Math.floor(now.getTime() / 1000);
    const started = Date.now();
    let statusCode: number | null = null;
    const destination = await destinationOf(url);
    let error: string | null = destination.refused ?? null;
    if (error === null) {
      try {
        const headers = {
          'content-type': 'application/json',
          'webhook-id': target.eventId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': this.signingSecrets(target, secretSealed, now).map((secret) => signWebhook(secret, target.eventId, timestamp, body)).join(' '),
        };
        // To the address just checked (DNS rebinding); a redirect, which could lead anywhere, counts as a failure.
        statusCode = await this.poster.post(url, headers, body, destination.pinned, DELIVERY_TIMEOUT_MS);
        if (statusCode === GONE) error = 'receiver answered 410 Gone: the endpoint is disabled';
        else if (statusCode < 200 || statusCode >= 300) error = `receiver answered ${statusCode}`;
      } catch (failure) {
        error = failure instanceof Error ? failure.message : String(failure);
      }
    }
    const { clientId, endpointId, eventId, jobId } = target;
    return { clientId, endpointId, eventId, jobId, attempt: target.attempts + 1, delivered: error === null, statusCode, error, durationMs: Date.now() - started };
  }

  /** The current secret, and for 24 hours after a rotation the one it replaced (docs/webhooks.md). */
  private signingSecrets(target: DeliveryTarget, secretSealed: Buffer, now: Date): string[] {
    const key = this.config.credentialsKey;
    const secrets = [unsealSecret(secretSealed, key)];
    if (target.previous_secret_sealed && target.previous_secret_expires_at && target.previous_secret_expires_at > now) {
      secrets.push(unsealSecret(target.previous_secret_sealed, key));
    }
    return secrets;
  }
}
