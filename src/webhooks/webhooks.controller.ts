import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiParam } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { PageQuery } from '../common/pagination';
import { ParseId, ParseIdentityId } from '../common/parse-id.pipe';
import { ApiEndpoint, ApiErrors, ApiIdempotentPost, ApiIdParam, ApiPage, ApiTag } from '../openapi/api-decorators';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { RedeliveryResponse, WebhookDeliveryResponse, WebhookResponse, WebhookWithSecretResponse } from './dto/webhook.response';
import { MAX_WEBHOOK_ENDPOINTS, WebhooksService } from './webhooks.service';

@ApiTag('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiEndpoint({
    summary: 'Register an endpoint for events',
    description: `Events of the kinds named are delivered to the URL, signed with the secret returned here and shown only once (docs/webhooks.md), and retried until a 2xx. At most ${MAX_WEBHOOK_ENDPOINTS} endpoints per client (422 WEBHOOK_LIMIT_REACHED).`,
  })
  @ApiIdempotentPost(WebhookWithSecretResponse, { required: false, body: CreateWebhookDto })
  register(@Body() dto: CreateWebhookDto) {
    return this.webhooks.register(dto);
  }

  @Get()
  @ApiEndpoint({ summary: 'List your webhook endpoints', description: 'Your webhook endpoints, newest first, with their status; secrets are shown only when registered or rotated.' })
  @ApiPage(WebhookResponse)
  list(@CurrentClient() client: AuthenticatedClient, @Query() page: PageQuery) {
    return this.webhooks.list(client.id, page);
  }

  @Get(':id')
  @ApiEndpoint({
    summary: 'An endpoint, with its status',
    description: 'One of your webhook endpoints: its URL, events and status (DISABLED once its receiver answered 410 Gone). The secret is never shown again.',
  })
  @ApiIdParam('webhook endpoint')
  @ApiOkResponse({ type: WebhookResponse })
  @ApiErrors(400, 404)
  get(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.webhooks.get(client.id, id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiEndpoint({
    summary: 'Delete an endpoint',
    description: `Nothing more is sent to it, events already queued included, and its delivery attempts are deleted with it. A client has at most ${MAX_WEBHOOK_ENDPOINTS} endpoints: this makes room for another.`,
  })
  @ApiIdParam('webhook endpoint')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 404)
  delete(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.webhooks.delete(client.id, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  @ApiEndpoint({
    summary: 'A new signing secret, shown once',
    description: 'Replaces the endpoint’s signing secret; for 24 hours deliveries carry the previous secret’s signature too, space-separated, so receivers can switch.',
  })
  @ApiIdParam('webhook endpoint')
  @ApiIdempotentPost(WebhookWithSecretResponse, { required: false, status: HttpStatus.OK, body: null })
  rotateSecret(@Param('id', ParseId()) id: string) {
    return this.webhooks.rotateSecret(id);
  }

  @Get(':id/deliveries')
  @ApiEndpoint({
    summary: 'Every delivery attempt to this endpoint, newest first',
    description: 'Each attempt: the event, the attempt number, DELIVERED or FAILED, the receiver’s status code or the error, how long it took, and when a failed one is retried.',
  })
  @ApiIdParam('webhook endpoint')
  @ApiPage(WebhookDeliveryResponse)
  @ApiErrors(404)
  deliveries(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string, @Query() page: PageQuery) {
    return this.webhooks.deliveries(client.id, id, page);
  }

  @Post(':id/deliveries/:delivery_id/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiEndpoint({
    summary: 'Send an attempt’s event again',
    description: 'Queues the attempt’s event for delivery again, under the same webhook-id (receivers de-duplicate on it); 422 WEBHOOK_DISABLED once the endpoint is disabled.',
  })
  @ApiIdParam('webhook endpoint')
  @ApiParam({ name: 'delivery_id', description: 'An attempt’s id, from the deliveries list', schema: { type: 'string', pattern: '^[1-9][0-9]{0,18}$', example: '17' } })
  @ApiIdempotentPost(RedeliveryResponse, { required: false, status: HttpStatus.ACCEPTED, body: null })
  redeliver(@Param('id', ParseId()) id: string, @Param('delivery_id', ParseIdentityId('delivery_id')) deliveryId: string) {
    return this.webhooks.redeliver(id, deliveryId);
  }
}
