import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { unsealSecret } from '../clients/credentials';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { JobQueue } from '../jobs/job-queue';
import { MetricsService } from '../metrics/metrics.service';
import { checkDestination } from './destination-policy';
import { postPinned } from './post-pinned';
import { signWebhook } from './webhook-secret';
import { EndpointRow, WEBHOOK_DELIVERY_QUEUE, WebhooksRepository } from './webhooks.repository';

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
 * Runs in the job worker, outside any request; every attempt is logged.
 */
@Injectable()
export class WebhookDelivery implements OnApplicationBootstrap {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly jobs: JobQueue,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // 16 retries, each wait doubling from WEBHOOK_RETRY_DELAY_SECONDS (2 s: about a day and a half in all).
    const queue = {
      name: WEBHOOK_DELIVERY_QUEUE,
      expireInSeconds: 60,
      retryLimit: 16,
      retryDelaySeconds: this.config.get('WEBHOOK_RETRY_DELAY_SECONDS'),
    };
    await this.jobs.work<DeliveryJob>(queue, (job, jobId) => this.deliver(job, jobId));
  }

  /** Throws when the attempt failed, so the queue retries it. */
  async deliver({ clientId, endpointId, eventId }: DeliveryJob, jobId: string): Promise<void> {
    const [endpoint, event, state] = await Promise.all([
      this.webhooks.findEndpoint(clientId, endpointId),
      this.webhooks.findEvent(clientId, eventId),
      this.webhooks.deliveryState(clientId, endpointId, eventId, jobId),
    ]);
    if (!endpoint || endpoint.disabled_at || !event || state.acknowledged) return;

    const body = JSON.stringify({ id: event.id, type: event.type, created_at: event.created_at.toISOString(), data: event.data });
    const now = this.clock.now();
    const timestamp = Math.floor(now.getTime() / 1000);
    const started = Date.now();
    let statusCode: number | null = null;
    const destination = await checkDestination(endpoint.url, this.config.isProduction);
    let error: string | null = destination.refused ?? null;
    if (error === null) {
      try {
        const headers = {
          'content-type': 'application/json',
          'webhook-id': event.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': this.signingSecrets(endpoint, now).map((secret) => signWebhook(secret, event.id, timestamp, body)).join(' '),
        };
        // To the address just checked (DNS rebinding); a redirect, which could lead anywhere, counts as a failure.
        statusCode = await postPinned(endpoint.url, headers, body, destination.pinned, DELIVERY_TIMEOUT_MS);
        if (statusCode === GONE) error = 'receiver answered 410 Gone: the endpoint is disabled';
        else if (statusCode < 200 || statusCode >= 300) error = `receiver answered ${statusCode}`;
      } catch (failure) {
        error = failure instanceof Error ? failure.message : String(failure);
      }
    }
    const delivered = error === null;
    await this.webhooks.insertDelivery(clientId, endpointId, eventId, {
      jobId,
      attempt: state.attempts + 1,
      delivered,
      statusCode,
      error,
      durationMs: Date.now() - started,
    });
    this.metrics.countWebhookDelivery(delivered ? 'delivered' : 'failed');
    if (statusCode === GONE) {
      // Not a failure to retry: the receiver asked for nothing more, this job included.
      await this.webhooks.disableEndpoint(clientId, endpointId, this.clock.now());
      return;
    }
    if (!delivered) throw new Error(`webhook ${eventId} to ${endpointId}: ${error}`);
  }

  /** The current secret, and for 24 hours after a rotation the one it replaced (docs/webhooks.md). */
  private signingSecrets(endpoint: EndpointRow, now: Date): string[] {
    const key = this.config.credentialsKey;
    const secrets = [unsealSecret(endpoint.secret_sealed, key)];
    if (endpoint.previous_secret_sealed && endpoint.previous_secret_expires_at && endpoint.previous_secret_expires_at > now) {
      secrets.push(unsealSecret(endpoint.previous_secret_sealed, key));
    }
    return secrets;
  }
}
