import { HttpStatus, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { sealSecret } from '../clients/credentials';
import { Clock } from '../common/clock';
import { DomainError, NotFoundError, ValidationFailedError } from '../common/errors';
import { decodeCursor, isIdentityKey, Page, PageQuery, toPage } from '../common/pagination';
import { AppConfig } from '../config/app-config';
import { decided, Operation } from '../operations/operation';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { RedeliveryResponse, WebhookDeliveryResponse, WebhookResponse, WebhookWithSecretResponse } from './dto/webhook.response';
import { refuseDestination } from './destination-policy';
import { newWebhookSecret } from './webhook-secret';
import { DeliveryRow, EndpointRow, WebhooksRepository } from './webhooks.repository';

/** How long a rotated-out secret still signs deliveries beside the new one. */
const ROTATION_WINDOW_MS = 24 * 60 * 60 * 1000;

const WEBHOOK_NOT_FOUND = new NotFoundError('Webhook');

/** Endpoints one client may have: each is a job and a POST for every event it subscribes to. */
export const MAX_WEBHOOK_ENDPOINTS = 16;

/** What `register_webhook` can refuse with. */
const REGISTER_REFUSALS = {
  WEBHOOK_LIMIT_REACHED: new DomainError(
    HttpStatus.UNPROCESSABLE_ENTITY,
    'WEBHOOK_LIMIT_REACHED',
    `A client can have at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints: delete one (DELETE /v1/webhooks/{id}) to register another`,
  ),
};

/** What `rotate_webhook_secret` can refuse with. */
const ROTATE_REFUSALS = { WEBHOOK_NOT_FOUND };

/** What `redeliver_webhook` can refuse with. */
const REDELIVER_REFUSALS = {
  WEBHOOK_NOT_FOUND,
  DELIVERY_NOT_FOUND: new NotFoundError('Delivery'),
  WEBHOOK_DISABLED: new DomainError(
    HttpStatus.UNPROCESSABLE_ENTITY,
    'WEBHOOK_DISABLED',
    'The endpoint is disabled: its receiver answered 410 Gone. Register the URL again to receive events',
  ),
};

@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Prepares a webhook endpoint (`register_webhook`); the secret is shown in this answer only. */
  async register(dto: CreateWebhookDto): Promise<Operation> {
    const refused = await refuseDestination(dto.url, this.config.isProduction);
    if (refused) throw new ValidationFailedError([{ field: 'url', errors: [refused] }]);
    const secret = newWebhookSecret();
    const id = uuidv7();
    const createdAt = this.clock.now();
    const view: WebhookWithSecretResponse = {
      id,
      url: dto.url,
      events: dto.events,
      secret,
      status: 'ENABLED',
      disabled_at: null,
      previous_secret_expires_at: null,
      created_at: createdAt.toISOString(),
    };
    return new Operation(
      'register_webhook',
      { webhook_id: id, url: dto.url, events: dto.events, secret_sealed: this.seal(secret), created_at: createdAt, max_endpoints: MAX_WEBHOOK_ENDPOINTS },
      view,
      REGISTER_REFUSALS,
    );
  }

  async list(clientId: string, page: PageQuery): Promise<Page<WebhookResponse>> {
    const beforeId = decodeCursor(page.cursor, (key) => isUUID(key));
    const rows = await this.webhooks.findEndpoints(clientId, page.limit, beforeId);
    return toPage(rows, page.limit, (row) => row.id, presentEndpoint);
  }

  /**
   * Prepares a new secret (`rotate_webhook_secret`), shown in this answer only. The one it replaces
   * still signs deliveries, beside it, for 24 hours, so receivers can switch without losing one.
   */
  rotateSecret(webhookId: string): Operation {
    const secret = newWebhookSecret();
    const previousExpiresAt = new Date(this.clock.now().getTime() + ROTATION_WINDOW_MS);
    const view: WebhookWithSecretResponse = {
      id: webhookId,
      url: decided('url'),
      events: decided('events'),
      secret,
      status: decided('status'),
      disabled_at: decided('disabled_at'),
      previous_secret_expires_at: previousExpiresAt.toISOString(),
      created_at: decided('created_at'),
    };
    return new Operation(
      'rotate_webhook_secret',
      { webhook_id: webhookId, secret_sealed: this.seal(secret), previous_expires_at: previousExpiresAt },
      view,
      ROTATE_REFUSALS,
    );
  }

  /** Prepares one more delivery of a logged attempt's event (`redeliver_webhook`), through the delivery queue. */
  redeliver(webhookId: string, deliveryId: string): Operation {
    const view: RedeliveryResponse = {
      webhook_id: webhookId,
      delivery_id: deliveryId,
      event_id: decided('event_id'),
      event_type: decided('event_type'),
      queued_at: this.clock.now().toISOString(),
    };
    return new Operation('redeliver_webhook', { webhook_id: webhookId, delivery_id: deliveryId }, view, REDELIVER_REFUSALS);
  }

  async get(clientId: string, webhookId: string): Promise<WebhookResponse> {
    const endpoint = await this.webhooks.findEndpoint(clientId, webhookId);
    if (!endpoint) throw new NotFoundError('Webhook');
    return presentEndpoint(endpoint);
  }

  /** Nothing more is sent to it, queued events included; its attempt log goes with it. */
  async delete(clientId: string, webhookId: string): Promise<void> {
    if (!(await this.webhooks.deleteEndpoint(clientId, webhookId))) throw new NotFoundError('Webhook');
  }

  async deliveries(clientId: string, endpointId: string, page: PageQuery): Promise<Page<WebhookDeliveryResponse>> {
    const beforeId = decodeCursor(page.cursor, isIdentityKey);
    if (!(await this.webhooks.findEndpoint(clientId, endpointId))) throw new NotFoundError('Webhook');
    const rows = await this.webhooks.findDeliveries(clientId, endpointId, page.limit, beforeId);
    return toPage(rows, page.limit, (row) => row.id, presentDelivery);
  }

  private seal(secret: string): Buffer {
    return sealSecret(secret, this.config.credentialsKey);
  }
}

function presentEndpoint(row: EndpointRow): WebhookResponse {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    status: row.disabled_at ? 'DISABLED' : 'ENABLED',
    disabled_at: row.disabled_at?.toISOString() ?? null,
    previous_secret_expires_at: row.previous_secret_expires_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}

function presentDelivery(row: DeliveryRow): WebhookDeliveryResponse {
  return {
    id: row.id,
    event_id: row.event_id,
    event_type: row.event_type,
    attempt: row.attempt,
    status: row.delivered ? 'DELIVERED' : 'FAILED',
    response_code: row.status_code,
    error: row.error,
    duration_ms: row.duration_ms,
    created_at: row.created_at.toISOString(),
    next_retry_at: row.next_retry_at?.toISOString() ?? null,
  };
}
