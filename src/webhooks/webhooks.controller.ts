import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { PageQuery } from '../common/pagination';
import { ParseId } from '../common/parse-id.pipe';
import { ApiErrors, ApiIdempotentPost, ApiPage } from '../openapi/api-decorators';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { WebhookDeliveryResponse, WebhookEndpointResponse, WebhookResponse } from './dto/webhook.response';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Register an endpoint for events; the signing secret is shown once (docs/webhooks.md)' })
  @ApiIdempotentPost(WebhookResponse, { required: false })
  register(@Body() dto: CreateWebhookDto) {
    return this.webhooks.register(dto);
  }

  @Get()
  @ApiOperation({ summary: 'Your webhook endpoints, newest first (without their secrets)' })
  @ApiPage(WebhookEndpointResponse)
  list(@CurrentClient() client: AuthenticatedClient, @Query() page: PageQuery) {
    return this.webhooks.list(client.id, page);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Every delivery attempt to this endpoint, newest first' })
  @ApiPage(WebhookDeliveryResponse)
  @ApiErrors(404)
  deliveries(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string, @Query() page: PageQuery) {
    return this.webhooks.deliveries(client.id, id, page);
  }
}
