import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, MaxLength } from 'class-validator';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '../webhook-events';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://example.com/ledgerline/webhooks', description: 'Production: https, and not a private address' })
  @IsString() @MaxLength(2048)
  url: string;

  @ApiProperty({ example: ['order.completed', 'payout.failed'], enum: WEBHOOK_EVENT_TYPES, isArray: true })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length) @ArrayUnique() @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events: WebhookEventType[];
}
