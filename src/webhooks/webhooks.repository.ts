import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { TxHost } from '../database/transaction';
import { WebhookEventType } from './webhook-events';

/** Also named by `outbox_emit` and `redeliver_webhook` (migrations Operations, WebhookStandard), which enqueue its jobs. */
export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';

export interface EndpointRow {
  id: string;
  url: string;
  events: WebhookEventType[];
  secret_sealed: Buffer;
  /** The secret a rotation replaced, still sent beside the new one until `previous_secret_expires_at`. */
  previous_secret_sealed: Buffer | null;
  previous_secret_expires_at: Date | null;
  /** When a 410 Gone disabled it; nothing is sent to it after. */
  disabled_at: Date | null;
  created_at: Date;
}

export interface EventRow {
  id: string;
  type: WebhookEventType;
  data: unknown;
  created_at: Date;
}

export interface NewDelivery {
  jobId: string;
  attempt: number;
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  delivered: boolean;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: Date;
  next_retry_at: Date | null;
}

@Injectable()
export class WebhooksRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  findEndpoint(clientId: string, id: string): Promise<EndpointRow | undefined> {
    return this.txHost.tx
      .query(
        `SELECT id, url, events, secret_sealed, previous_secret_sealed, previous_secret_expires_at, disabled_at, created_at
         FROM webhook_endpoints WHERE client_id = $1 AND id = $2`,
        [clientId, id],
      )
      .then((rows: EndpointRow[]) => rows[0]);
  }

  findEvent(clientId: string, id: string): Promise<EventRow | undefined> {
    return this.txHost.tx
      .query(`SELECT id, type, data, created_at FROM webhook_events WHERE client_id = $1 AND id = $2`, [clientId, id])
      .then((rows: EventRow[]) => rows[0]);
  }

  /**
   * How many times this event was sent to this endpoint, and whether the endpoint acknowledged it
   * since this job was enqueued: an earlier 2xx does not stop a redelivery, a redelivery's 2xx stops
   * the retries of the first job, and a job's own 2xx stops the job's rerun after a crash.
   */
  async deliveryState(clientId: string, endpointId: string, eventId: string, jobId: string): Promise<{ attempts: number; acknowledged: boolean }> {
    const [row]: Array<{ attempts: number; acknowledged: boolean }> = await this.txHost.tx.query(
      `SELECT count(*)::int AS attempts,
              coalesce(bool_or(delivered AND created_at >= (SELECT created_on FROM pgboss.job WHERE name = $5 AND id = $4)), false) AS acknowledged
       FROM webhook_deliveries WHERE client_id = $1 AND endpoint_id = $2 AND event_id = $3`,
      [clientId, endpointId, eventId, jobId, WEBHOOK_DELIVERY_QUEUE],
    );
    return row;
  }

  async insertDelivery(clientId: string, endpointId: string, eventId: string, delivery: NewDelivery): Promise<void> {
    await this.txHost.tx.query(
      `INSERT INTO webhook_deliveries (client_id, endpoint_id, event_id, job_id, attempt, delivered, status_code, error, duration_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [clientId, endpointId, eventId, delivery.jobId, delivery.attempt, delivery.delivered, delivery.statusCode, delivery.error, delivery.durationMs],
    );
  }

  async disableEndpoint(clientId: string, endpointId: string, at: Date): Promise<void> {
    await this.txHost.tx.query(`UPDATE webhook_endpoints SET disabled_at = $3 WHERE client_id = $1 AND id = $2 AND disabled_at IS NULL`, [clientId, endpointId, at]);
  }

  /**
   * Newest first; `beforeId` is the last id of the previous page. An attempt's next retry is its job's
   * `start_after` while pg-boss holds the job for a retry and this is the job's latest attempt (the
   * job started it after every earlier one was logged).
   */
  findDeliveries(clientId: string, endpointId: string, limit: number, beforeId?: string): Promise<DeliveryRow[]> {
    return this.txHost.tx.query(
      `SELECT d.id::text, d.event_id, e.type AS event_type, d.attempt, d.delivered, d.status_code, d.error, d.duration_ms, d.created_at,
              j.start_after AS next_retry_at
       FROM webhook_deliveries d
       JOIN webhook_events e ON e.client_id = d.client_id AND e.id = d.event_id
       LEFT JOIN pgboss.job j ON j.name = $5 AND j.id = d.job_id AND j.state = 'retry' AND j.started_on <= d.created_at
       WHERE d.client_id = $1 AND d.endpoint_id = $2 AND ($4::bigint IS NULL OR d.id < $4::bigint)
       ORDER BY d.id DESC LIMIT $3`,
      [clientId, endpointId, limit + 1, beforeId ?? null, WEBHOOK_DELIVERY_QUEUE],
    );
  }
}
