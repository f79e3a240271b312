import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { unsealSecret } from '../clients/credentials';
import { AppConfig } from '../config/app-config';
import { JobQueue } from '../jobs/job-queue';
import { MetricsService } from '../metrics/metrics.service';
import { checkDestination } from './destination-policy';
import { postPinned } from './post-pinned';
import { DeliveryJob, WEBHOOK_DELIVERY_QUEUE } from './webhooks.service';
import { WebhooksRepository } from './webhooks.repository';

const DELIVERY_TIMEOUT_MS = 10_000;

/** The signature a receiver checks: hex HMAC-SHA256(secret, timestamp + "." + raw body). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Delivers webhook events, at least once: retried with backoff until a 2xx, and never again once a
 * 2xx was logged. Runs in the job worker, outside any request; every attempt is logged.
 */
@Injectable()
export class WebhookDelivery implements OnApplicationBootstrap {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly jobs: JobQueue,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // 16 retries, each wait doubling from WEBHOOK_RETRY_DELAY_SECONDS (2 s: about a day and a half in all).
    const queue = {
      name: WEBHOOK_DELIVERY_QUEUE,
      expireInSeconds: 60,
      retryLimit: 16,
      retryDelaySeconds: this.config.get('WEBHOOK_RETRY_DELAY_SECONDS'),
    };
    await this.jobs.work<DeliveryJob>(queue, (job) => this.deliver(job));
  }

  /** Throws when the attempt failed, so the queue retries it. */
  async deliver({ clientId, endpointId, eventId }: DeliveryJob): Promise<void> {
    const [endpoint, event, state] = await Promise.all([
      this.webhooks.findEndpoint(clientId, endpointId),
      this.webhooks.findEvent(clientId, eventId),
      this.webhooks.deliveryState(clientId, endpointId, eventId),
    ]);
    if (!endpoint || !event || state.acknowledged) return;

    const body = JSON.stringify({ id: event.id, type: event.type, created_at: event.created_at.toISOString(), data: event.data });
    const timestamp = Math.floor(Date.now() / 1000);
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
          'webhook-signature': signWebhook(unsealSecret(endpoint.secret_sealed, this.config.credentialsKey), timestamp, body),
        };
        // To the address just checked (DNS rebinding); a redirect, which could lead anywhere, counts as a failure.
        statusCode = await postPinned(endpoint.url, headers, body, destination.pinned, DELIVERY_TIMEOUT_MS);
        if (statusCode < 200 || statusCode >= 300) error = `receiver answered ${statusCode}`;
      } catch (failure) {
        error = failure instanceof Error ? failure.message : String(failure);
      }
    }
    const delivered = error === null;
    await this.webhooks.insertDelivery(clientId, endpointId, eventId, {
      attempt: state.attempts + 1,
      delivered,
      status_code: statusCode,
      error,
      duration_ms: Date.now() - started,
    });
    this.metrics.countWebhookDelivery(delivered ? 'delivered' : 'failed');
    if (!delivered) throw new Error(`webhook ${eventId} to ${endpointId}: ${error}`);
  }
}
