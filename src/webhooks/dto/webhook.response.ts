import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '../webhook-events';

export class WebhookResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'https://example.com/ledgerline/webhooks' }) url: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true }) events: WebhookEventType[];
  @ApiProperty({ example: 'whsec_3q2+7w...', description: 'Signs every delivery (Webhook-Signature); shown only here' }) secret: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class WebhookDeliveryResponse {
  @ApiProperty({ example: '17' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'The event id, also sent as Webhook-Id: de-duplicate on it' }) event_id: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES }) event_type: string;
  @ApiProperty({ type: 'integer', example: 1 }) attempt: number;
  @ApiProperty({ description: 'true when the receiver answered 2xx' }) delivered: boolean;
  @ApiProperty({ type: 'integer', example: 200, nullable: true }) status_code: number | null;
  @ApiProperty({ example: null, nullable: true, type: String }) error: string | null;
  @ApiProperty({ type: 'integer', example: 42 }) duration_ms: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}
