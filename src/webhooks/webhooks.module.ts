import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from '../common/clock';
import { WebhookDelivery } from './webhook-delivery';
import { WebhookSweeper } from './webhook-sweeper';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** Global: every feature that makes an effect emits its event through WebhooksService. */
@Global()
@Module({
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhooksRepository, WebhookDelivery, WebhookSweeper, { provide: Clock, useClass: SystemClock }],
})
export class WebhooksModule {}
