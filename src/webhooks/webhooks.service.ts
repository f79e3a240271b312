import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { sealSecret } from '../clients/credentials';
import { NotFoundError, ValidationFailedError } from '../common/errors';
import { isUUID } from 'class-validator';
import { decodeCursor, isIdentityKey, Page, PageQuery, toPage } from '../common/pagination';
import { AppConfig } from '../config/app-config';
import { Operation } from '../operations/operation';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { WebhookDeliveryResponse, WebhookEndpointResponse, WebhookResponse } from './dto/webhook.response';
import { refuseDestination } from './destination-policy';
import { DeliveryRow, WebhooksRepository } from './webhooks.repository';

/** Also named by `outbox_emit` (migration Operations), which enqueues its jobs. */
export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';

export interface DeliveryJob {
  clientId: string;
  endpointId: string;
  eventId: string;
}

@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly config: AppConfig,
  ) {}

  /** Prepares a webhook endpoint (`register_webhook`); the secret is shown in this answer only. */
  async register(dto: CreateWebhookDto): Promise<Operation> {
    const refused = await refuseDestination(dto.url, this.config.isProduction);
    if (refused) throw new ValidationFailedError([{ field: 'url', errors: [refused] }]);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const id = uuidv7();
    const createdAt = new Date();
    const view: WebhookResponse = { id, url: dto.url, events: dto.events, secret, created_at: createdAt.toISOString() };
    return new Operation(
      'register_webhook',
      { webhook_id: id, url: dto.url, events: dto.events, secret_sealed: sealSecret(secret, this.config.credentialsKey), created_at: createdAt },
      view,
    );
  }

  async list(clientId: string, page: PageQuery): Promise<Page<WebhookEndpointResponse>> {
    const beforeId = decodeCursor(page.cursor, (key) => isUUID(key));
    const rows = await this.webhooks.findEndpoints(clientId, page.limit, beforeId);
    return toPage(rows, page.limit, (row) => row.id, (row) => ({ ...row, created_at: row.created_at.toISOString() }));
  }

  async deliveries(clientId: string, endpointId: string, page: PageQuery): Promise<Page<WebhookDeliveryResponse>> {
    const beforeId = decodeCursor(page.cursor, isIdentityKey);
    if (!(await this.webhooks.findEndpoint(clientId, endpointId))) throw new NotFoundError('Webhook');
    const rows = await this.webhooks.findDeliveries(clientId, endpointId, page.limit, beforeId);
    return toPage(rows, page.limit, (row) => row.id, presentDelivery);
  }
}

function presentDelivery(row: DeliveryRow): WebhookDeliveryResponse {
  return { ...row, created_at: row.created_at.toISOString() };
}
