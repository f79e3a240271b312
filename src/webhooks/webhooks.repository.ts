import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { TxHost } from '../database/transaction';
import { WebhookEventType } from './webhook-events';

/** Also named by `outbox_emit` and `redeliver_webhook` (migrations Operations, WebhookStandard), which enqueue its jobs. */
export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';

/** An endpoint as the API shows it: never its secrets (a delivery reads those with its batch, findDeliveryTargets). */
export interface EndpointRow {
  id: string;
  url: string;
  events: WebhookEventType[];
  /** Until then the secret a rotation replaced is still sent beside the new one. */
  previous_secret_expires_at: Date | null;
  /** When a 410 Gone disabled it; nothing is sent to it after. */
  disabled_at: Date | null;
  created_at: Date;
}

const ENDPOINT_COLUMNS = 'id, url, events, previous_secret_expires_at, disabled_at, created_at';

/** One delivery job: an event for an endpoint. */
export interface DeliveryTargetKey {
  clientId: string;
  endpointId: string;
  eventId: string;
  jobId: string;
}

/** A delivery job with what it needs: its endpoint's (null when the endpoint is gone) and its event's (null when gone). */
export interface DeliveryTarget extends DeliveryTargetKey {
  url: string | null;
  disabled_at: Date | null;
  secret_sealed: Buffer | null;
  previous_secret_sealed: Buffer | null;
  previous_secret_expires_at: Date | null;
  event_type: WebhookEventType | null;
  event_data: unknown;
  event_created_at: Date | null;
  attempts: number;
  acknowledged: boolean;
}

export interface NewDelivery extends DeliveryTargetKey {
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

/**
 * A batch of delivery jobs ($1–$4: client, endpoint, event and job ids; $5 the queue) with what each needs (findDeliveryTargets).
 * The endpoint is matched in FILTER, not WHERE: with it in WHERE, a table not yet analyzed could be read through the
 * (client, endpoint) index, every attempt the endpoint ever had (220 ms a batch); by (client, event) only one index fits.
 */
export const DELIVERY_TARGETS = `SELECT j.client_id AS "clientId", j.endpoint_id AS "endpointId", j.event_id AS "eventId", j.job_id AS "jobId",
          e.url, e.disabled_at, e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at,
          ev.type AS event_type, ev.data AS event_data, ev.created_at AS event_created_at, sent.attempts, sent.acknowledged
   FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[]) WITH ORDINALITY AS j (client_id, endpoint_id, event_id, job_id, position)
   LEFT JOIN webhook_endpoints e ON e.client_id = j.client_id AND e.id = j.endpoint_id
   LEFT JOIN webhook_events ev ON ev.client_id = j.client_id AND ev.id = j.event_id
   CROSS JOIN LATERAL (
     SELECT count(*) FILTER (WHERE d.endpoint_id = j.endpoint_id)::int AS attempts,
            coalesce(bool_or(d.delivered AND d.created_at >= (SELECT created_on FROM pgboss.job WHERE name = $5 AND id = j.job_id))
                     FILTER (WHERE d.endpoint_id = j.endpoint_id), false) AS acknowledged
     FROM webhook_deliveries d WHERE d.client_id = j.client_id AND d.event_id = j.event_id) sent
   ORDER BY j.position`;

@Injectable()
export class WebhooksRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  findEndpoint(clientId: string, id: string): Promise<EndpointRow | undefined> {
    return this.txHost.tx
      .query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE client_id = $1 AND id = $2`, [clientId, id])
      .then((rows: EndpointRow[]) => rows[0]);
  }

  /** Newest first; `beforeId` is the last id of the previous page. */
  findEndpoints(clientId: string, limit: number, beforeId?: string): Promise<EndpointRow[]> {
    return this.txHost.tx.query(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE client_id = $1 AND ($2::uuid IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [clientId, beforeId ?? null, limit + 1],
    );
  }

  /**
   * Everything a batch of delivery jobs needs, in one statement and in the jobs' order: each job's
   * endpoint and event, how many times the event was sent to the endpoint, and
   * whether the endpoint acknowledged it since the job was enqueued: an earlier 2xx does not stop a
   * redelivery, a redelivery's 2xx stops the retries of the first job, and a job's own 2xx stops the
   * job's rerun after a crash.
   */
  findDeliveryTargets(jobs: DeliveryTargetKey[]): Promise<DeliveryTarget[]> {
    return this.txHost.tx.query(DELIVERY_TARGETS, [
      jobs.map((job) => job.clientId),
      jobs.map((job) => job.endpointId),
      jobs.map((job) => job.eventId),
      jobs.map((job) => job.jobId),
      WEBHOOK_DELIVERY_QUEUE,
    ]);
  }

  /**
   * A batch's logged attempts, in one statement. An attempt whose endpoint or event was deleted meanwhile
   * (a DELETE, the retention sweep) is not logged: each row is locked (FOR KEY SHARE) or found gone, so a
   * concurrent delete never fails the batch, and with it every other delivery in it.
   */
  async insertDeliveries(deliveries: NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const column = <K extends keyof NewDelivery>(name: K) => deliveries.map((delivery) => delivery[name]);
    await this.txHost.tx.query(
      `INSERT INTO webhook_deliveries (client_id, endpoint_id, event_id, job_id, attempt, delivered, status_code, error, duration_ms)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::int[], $6::boolean[], $7::int[], $8::text[], $9::int[])
         AS a (client_id, endpoint_id, event_id, job_id, attempt, delivered, status_code, error, duration_ms)
       WHERE EXISTS (SELECT FROM webhook_endpoints e WHERE e.client_id = a.client_id AND e.id = a.endpoint_id FOR KEY SHARE)
         AND EXISTS (SELECT FROM webhook_events ev WHERE ev.client_id = a.client_id AND ev.id = a.event_id FOR KEY SHARE)`,
      [column('clientId'), column('endpointId'), column('eventId'), column('jobId'), column('attempt'), column('delivered'), column('statusCode'), column('error'), column('durationMs')],
    );
  }

  /**
   * Deletes up to `limit` events, with their attempts, created and last attempted more than `ttlSeconds`
   * ago: the TTL exceeds a delivery's whole retry schedule (env.schema.ts), and a redelivery's attempt
   * renews it. An event whose attempt is being logged right now is skipped (locked), and left to the next
   * sweep. Answers how many events went.
   */
  async deleteExpiredEvents(ttlSeconds: number, limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.txHost.tx.query(
      `WITH expired AS (
         SELECT e.client_id, e.id FROM webhook_events e
         WHERE e.created_at < now() - make_interval(secs => $1)
           AND NOT EXISTS (SELECT FROM webhook_deliveries d
                           WHERE d.client_id = e.client_id AND d.event_id = e.id AND d.created_at >= now() - make_interval(secs => $1))
         LIMIT $2
         FOR UPDATE SKIP LOCKED),
       attempts AS (DELETE FROM webhook_deliveries d USING expired x WHERE d.client_id = x.client_id AND d.event_id = x.id)
       DELETE FROM webhook_events e USING expired x WHERE e.client_id = x.client_id AND e.id = x.id`,
      [ttlSeconds, limit],
    );
    return deleted;
  }

  /** Deletes the endpoint and its attempt log; answers whether the client had it. */
  async deleteEndpoint(clientId: string, endpointId: string): Promise<boolean> {
    const [, deleted]: [unknown, number] = await this.txHost.tx.query(`DELETE FROM webhook_endpoints WHERE client_id = $1 AND id = $2`, [clientId, endpointId]);
    return deleted > 0;
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
