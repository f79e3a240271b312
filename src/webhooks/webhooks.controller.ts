import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { PageQuery } from '../common/pagination';
import { ParseId } from '../common/parse-id.pipe';
import { ApiEndpoint, ApiErrors, ApiIdempotentPost, ApiIdParam, ApiPage, ApiTag } from '../openapi/api-decorators';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { WebhookDeliveryResponse, WebhookResponse } from './dto/webhook.response';
import { WebhooksService } from './webhooks.service';

@ApiTag('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiEndpoint({
    summary: 'Register an endpoint for events',
    description: 'Events of the kinds named are delivered to the URL, signed with the secret returned here and shown only once (docs/webhooks.md), and retried until a 2xx.',
  })
  @ApiIdempotentPost(WebhookResponse, { required: false, body: CreateWebhookDto })
  register(@Body() dto: CreateWebhookDto) {
    return this.webhooks.register(dto);
  }

  @Get(':id/deliveries')
  @ApiEndpoint({
    summary: 'Every delivery attempt to this endpoint, newest first',
    description: 'Each attempt: the event, the attempt number, whether the receiver answered 2xx, its status code or the error, and how long it took.',
  })
  @ApiIdParam('webhook endpoint')
  @ApiPage(WebhookDeliveryResponse)
  @ApiErrors(404)
  deliveries(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string, @Query() page: PageQuery) {
    return this.webhooks.deliveries(client.id, id, page);
  }
}
