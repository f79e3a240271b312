import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { PageQuery } from '../common/pagination';
import { ParseId, ParseIdentityId } from '../common/parse-id.pipe';
import { ApiErrors, ApiIdempotentPost, ApiPage } from '../openapi/api-decorators';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { RedeliveryResponse, WebhookDeliveryResponse, WebhookResponse, WebhookWithSecretResponse } from './dto/webhook.response';
import { WebhooksService } from './webhooks.service';

const WebhookIdParam = () => ApiParam({ name: 'id', format: 'uuid', description: 'The webhook endpoint', example: '01a2069a-5c1e-7c3d-9b1e-6f0a2d4c8e11' });

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Register an endpoint for events; the signing secret is shown once (docs/webhooks.md)' })
  @ApiIdempotentPost(WebhookWithSecretResponse, { required: false })
  register(@Body() dto: CreateWebhookDto) {
    return this.webhooks.register(dto);
  }

  @Get()
  @ApiOperation({ summary: 'Your webhook endpoints, newest first (without their secrets)' })
  @ApiPage(WebhookResponse)
  list(@CurrentClient() client: AuthenticatedClient, @Query() page: PageQuery) {
    return this.webhooks.list(client.id, page);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An endpoint, with its status (DISABLED once its receiver answered 410 Gone)' })
  @WebhookIdParam()
  @ApiOkResponse({ type: WebhookResponse })
  @ApiErrors(400, 401, 404)
  get(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.webhooks.get(client.id, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'A new signing secret, shown once; for 24 hours deliveries carry the previous secret’s signature too' })
  @WebhookIdParam()
  @ApiIdempotentPost(WebhookWithSecretResponse, { required: false, status: HttpStatus.OK })
  rotateSecret(@Param('id', ParseId()) id: string) {
    return this.webhooks.rotateSecret(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Every delivery attempt to this endpoint, newest first, with the next retry of a failed one' })
  @WebhookIdParam()
  @ApiPage(WebhookDeliveryResponse)
  @ApiErrors(404)
  deliveries(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string, @Query() page: PageQuery) {
    return this.webhooks.deliveries(client.id, id, page);
  }

  @Post(':id/deliveries/:delivery_id/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Sends the attempt’s event again, under the same webhook-id, through the delivery queue (422 WEBHOOK_DISABLED once the endpoint is disabled)',
  })
  @WebhookIdParam()
  @ApiParam({ name: 'delivery_id', description: 'An attempt’s id, from the deliveries list', example: '17' })
  @ApiIdempotentPost(RedeliveryResponse, { required: false, status: HttpStatus.ACCEPTED })
  redeliver(@Param('id', ParseId()) id: string, @Param('delivery_id', ParseIdentityId('delivery_id')) deliveryId: string) {
    return this.webhooks.redeliver(id, deliveryId);
  }
}
