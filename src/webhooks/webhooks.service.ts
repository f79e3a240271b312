import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { sealSecret } from '../clients/credentials';
import { NotFoundError, ValidationFailedError } from '../common/errors';
import { decodeCursor, isIdentityKey, Page, PageQuery, toPage } from '../common/pagination';
import { AppConfig } from '../config/app-config';
import { JobQueue } from '../jobs/job-queue';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { WebhookDeliveryResponse, WebhookResponse } from './dto/webhook.response';
import { refuseDestination } from './destination-policy';
import { WebhookEventType } from './webhook-events';
import { DeliveryRow, WebhooksRepository } from './webhooks.repository';

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
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async register(clientId: string, dto: CreateWebhookDto): Promise<WebhookResponse> {
    const refused = await refuseDestination(dto.url, this.config.isProduction);
    if (refused) throw new ValidationFailedError([{ field: 'url', errors: [refused] }]);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const endpoint = await this.webhooks.insertEndpoint(clientId, uuidv7(), dto.url, dto.events, sealSecret(secret, this.config.credentialsKey));
    return { id: endpoint.id, url: endpoint.url, events: endpoint.events, secret, created_at: endpoint.created_at.toISOString() };
  }

  /**
   * Writes the event and one delivery job per subscribed endpoint, in the caller's transaction
   * (the outbox): the event exists if and only if the effect committed, and a replayed request,
   * which runs no handler, emits nothing.
   */
  async emit(clientId: string, type: WebhookEventType, data: unknown): Promise<void> {
    const endpoints = await this.webhooks.subscribers(clientId, type);
    if (endpoints.length === 0) return;
    const eventId = uuidv7();
    await this.webhooks.insertEvent(clientId, eventId, type, data);
    for (const endpoint of endpoints) {
      await this.jobs.sendInTransaction<DeliveryJob>(WEBHOOK_DELIVERY_QUEUE, { clientId, endpointId: endpoint.id, eventId });
    }
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
