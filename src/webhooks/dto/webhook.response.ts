import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '../webhook-events';

export const WEBHOOK_STATUSES = ['ENABLED', 'DISABLED'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

export const DELIVERY_STATUSES = ['DELIVERED', 'FAILED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export class WebhookResponse {
  @ApiProperty({ example: '01a2069a-5c1e-7c3d-9b1e-6f0a2d4c8e11', format: 'uuid' }) id: string;
  @ApiProperty({ example: 'https://example.com/ledgerline/webhooks' }) url: string;
  @ApiProperty({ example: ['order.completed', 'payout.failed'], enum: WEBHOOK_EVENT_TYPES, isArray: true }) events: WebhookEventType[];
  @ApiProperty({ example: 'ENABLED', enum: WEBHOOK_STATUSES, description: 'DISABLED once the receiver answered 410 Gone: nothing more is sent' }) status: WebhookStatus;
  @ApiProperty({ example: null, nullable: true, type: String, format: 'date-time', description: 'When a 410 Gone disabled the endpoint' }) disabled_at: string | null;
  @ApiProperty({
    example: '2026-11-24T04:20:00.000Z',
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'After a rotation: until when deliveries are signed with the previous secret too',
  })
  previous_secret_expires_at: string | null;
  @ApiProperty({ example: '2026-11-23T04:20:00.000Z', format: 'date-time' }) created_at: string;
}

/** At registration and rotation only: the secret is never shown again. */
export class WebhookWithSecretResponse extends WebhookResponse {
  @ApiProperty({
    example: 'whsec_bgV0yaW0wQ+jwrxysUq0gZ8Sbx/5epUfACC0CWQg4Cs=',
    description: 'whsec_ + base64 of the 32-byte HMAC key that signs every delivery (webhook-signature); shown only here',
  })
  secret: string;
}

export class WebhookDeliveryResponse {
  @ApiProperty({ example: '17', description: 'The attempt’s id; a bigint as a string' }) id: string;
  @ApiProperty({ example: '01a2069b-0d4e-7a61-8f3c-2b9e5d7a1c40', format: 'uuid', description: 'The event id, also sent as webhook-id: de-duplicate on it' }) event_id: string;
  @ApiProperty({ example: 'order.completed', enum: WEBHOOK_EVENT_TYPES }) event_type: string;
  @ApiProperty({ type: 'integer', example: 1, description: 'The how-manyth time this event was sent to this endpoint' }) attempt: number;
  @ApiProperty({ example: 'DELIVERED', enum: DELIVERY_STATUSES, description: 'DELIVERED when the receiver answered 2xx' }) status: DeliveryStatus;
  @ApiProperty({ type: 'integer', example: 200, nullable: true, description: 'The receiver’s HTTP status; null when it never answered' }) response_code: number | null;
  @ApiProperty({ example: null, nullable: true, type: String }) error: string | null;
  @ApiProperty({ type: 'integer', example: 42 }) duration_ms: number;
  @ApiProperty({ example: '2026-11-23T04:20:00.120Z', format: 'date-time', description: 'When the receiver answered (or the attempt gave up)' }) created_at: string;
  @ApiProperty({ example: null, nullable: true, type: String, format: 'date-time', description: 'When the failed attempt will be retried; null when no retry is waiting' })
  next_retry_at: string | null;
}

export class RedeliveryResponse {
  @ApiProperty({ example: '01a2069a-5c1e-7c3d-9b1e-6f0a2d4c8e11', format: 'uuid' }) webhook_id: string;
  @ApiProperty({ example: '17', description: 'The attempt whose event is sent again' }) delivery_id: string;
  @ApiProperty({ example: '01a2069b-0d4e-7a61-8f3c-2b9e5d7a1c40', format: 'uuid', description: 'Sent again under the same webhook-id' }) event_id: string;
  @ApiProperty({ example: 'order.completed', enum: WEBHOOK_EVENT_TYPES }) event_type: string;
  @ApiProperty({ example: '2026-11-23T05:00:00.000Z', format: 'date-time' }) queued_at: string;
}
