import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { TxHost } from '../database/transaction';
import { WebhookEventType } from './webhook-events';

export interface EndpointRow {
  id: string;
  url: string;
  events: WebhookEventType[];
  secret_sealed: Buffer;
  created_at: Date;
}

export interface EventRow {
  id: string;
  type: WebhookEventType;
  data: unknown;
  created_at: Date;
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
}

@Injectable()
export class WebhooksRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  findEndpoint(clientId: string, id: string): Promise<EndpointRow | undefined> {
    return this.txHost.tx
      .query(`SELECT id, url, events, secret_sealed, created_at FROM webhook_endpoints WHERE client_id = $1 AND id = $2`, [clientId, id])
      .then((rows: EndpointRow[]) => rows[0]);
  }

  /** Newest first; `beforeId` is the last id of the previous page. */
  findEndpoints(clientId: string, limit: number, beforeId?: string): Promise<Array<Omit<EndpointRow, 'secret_sealed'>>> {
    return this.txHost.tx.query(
      `SELECT id, url, events, created_at FROM webhook_endpoints WHERE client_id = $1 AND ($2::uuid IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [clientId, beforeId ?? null, limit + 1],
    );
  }

  findEvent(clientId: string, id: string): Promise<EventRow | undefined> {
    return this.txHost.tx
      .query(`SELECT id, type, data, created_at FROM webhook_events WHERE client_id = $1 AND id = $2`, [clientId, id])
      .then((rows: EventRow[]) => rows[0]);
  }

  /** How many times this event was sent to this endpoint, and whether one of them was acknowledged. */
  async deliveryState(clientId: string, endpointId: string, eventId: string): Promise<{ attempts: number; acknowledged: boolean }> {
    const [row]: Array<{ attempts: number; acknowledged: boolean }> = await this.txHost.tx.query(
      `SELECT count(*)::int AS attempts, coalesce(bool_or(delivered), false) AS acknowledged
       FROM webhook_deliveries WHERE client_id = $1 AND endpoint_id = $2 AND event_id = $3`,
      [clientId, endpointId, eventId],
    );
    return row;
  }

  async insertDelivery(clientId: string, endpointId: string, eventId: string, delivery: Omit<DeliveryRow, 'id' | 'event_id' | 'event_type' | 'created_at'>): Promise<void> {
    await this.txHost.tx.query(
      `INSERT INTO webhook_deliveries (client_id, endpoint_id, event_id, attempt, delivered, status_code, error, duration_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [clientId, endpointId, eventId, delivery.attempt, delivery.delivered, delivery.status_code, delivery.error, delivery.duration_ms],
    );
  }

  /** Newest first; `beforeId` is the last id of the previous page. */
  findDeliveries(clientId: string, endpointId: string, limit: number, beforeId?: string): Promise<DeliveryRow[]> {
    return this.txHost.tx.query(
      `SELECT d.id::text, d.event_id, e.type AS event_type, d.attempt, d.delivered, d.status_code, d.error, d.duration_ms, d.created_at
       FROM webhook_deliveries d JOIN webhook_events e ON e.client_id = d.client_id AND e.id = d.event_id
       WHERE d.client_id = $1 AND d.endpoint_id = $2 AND ($4::bigint IS NULL OR d.id < $4::bigint)
       ORDER BY d.id DESC LIMIT $3`,
      [clientId, endpointId, limit + 1, beforeId ?? null],
    );
  }
}
