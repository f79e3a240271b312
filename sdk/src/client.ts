import { randomUUID } from 'node:crypto';
import {
  CreatePayoutRequest,
  CreateTransferRequest,
  CreateWalletRequest,
  CreateWebhookRequest,
  Deposit,
  DepositRequest,
  HealthStatus,
  IdempotencyRecord,
  LedgerEntry,
  ListOrdersQuery,
  Order,
  Page,
  PageQuery,
  Payout,
  PlaceOrderRequest,
  Product,
  Transfer,
  Wallet,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookRedelivery,
} from './models';
import { ConnectionOptions, HttpRequest, Transport } from './transport';

export interface LedgerlineOptions extends ConnectionOptions {
  /** `X-API-Key` of the client (tenant). */
  apiKey: string;
  /** `X-API-Secret`, shown once when the client was created. */
  apiSecret: string;
}

export interface IdempotencyOptions {
  /**
   * The key of this logical operation: 8–256 visible ASCII characters, e.g. your own payment
   * reference. Default: a random UUID, made once before the first attempt. Calling again with the
   * same key (and the same request) never moves money twice: it returns the recorded outcome.
   */
  idempotencyKey?: string;
}

/**
 * An order's key travels either in the `Idempotency-Key` header or as `client_order_id` (1–250
 * visible ASCII characters), which the order then carries and `listOrders` can search by. One or
 * the other: two different keys would be refused as ambiguous.
 */
export type PlaceOrderOptions = (IdempotencyOptions & { clientOrderId?: never }) | { clientOrderId: string; idempotencyKey?: never };

/** What a POST that ran under an idempotency key returns. */
export interface IdempotentResult<T> {
  /** The resource, as the API sent it. */
  data: T;
  /** The key the operation ran under, on every attempt. */
  idempotencyKey: string;
  /** True when the answer is the server's record of an earlier execution (`Idempotency-Replayed`), e.g. after a lost answer. */
  replayed: boolean;
  /** HTTP attempts this call made, the first one included. */
  attempts: number;
}

interface KeyCarrier {
  key: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/**
 * The Ledgerline API for one client (tenant). Every POST carries an idempotency key and is retried
 * safely under it; reads are retried too; see RetryOptions for the policy.
 */
export class Ledgerline {
  private readonly transport: Transport;

  constructor(options: LedgerlineOptions) {
    this.transport = new Transport(options, { 'x-api-key': options.apiKey, 'x-api-secret': options.apiSecret });
  }

  createWallet(wallet: CreateWalletRequest, options: IdempotencyOptions = {}): Promise<IdempotentResult<Wallet>> {
    return this.idempotentPost('/v1/wallets', wallet, keyInHeader(options));
  }

  listWallets(page: PageQuery = {}): Promise<Page<Wallet>> {
    return this.read('/v1/wallets', { ...page });
  }

  getWallet(walletId: string): Promise<Wallet> {
    return this.read(`/v1/wallets/${segment(walletId)}`);
  }

  listWalletTransactions(walletId: string, page: PageQuery = {}): Promise<Page<LedgerEntry>> {
    return this.read(`/v1/wallets/${segment(walletId)}/transactions`, { ...page });
  }

  /** Sandbox funding: credits the wallet from the FUNDING system account. */
  deposit(walletId: string, deposit: DepositRequest, options: IdempotencyOptions = {}): Promise<IdempotentResult<Deposit>> {
    return this.idempotentPost(`/v1/wallets/${segment(walletId)}/deposits`, deposit, keyInHeader(options));
  }

  listProducts(): Promise<Page<Product>> {
    return this.read('/v1/products');
  }

  /** Debits the wallet and returns the completed order. */
  placeOrder(order: PlaceOrderRequest, options: PlaceOrderOptions = {}): Promise<IdempotentResult<Order>> {
    const carrier: KeyCarrier =
      options.clientOrderId === undefined
        ? keyInHeader(options)
        : { key: options.clientOrderId, query: { client_order_id: options.clientOrderId } };
    return this.idempotentPost('/v1/orders', order, carrier);
  }

  getOrder(orderId: string): Promise<Order> {
    return this.read(`/v1/orders/${segment(orderId)}`);
  }

  listOrders(query: ListOrdersQuery = {}): Promise<Page<Order>> {
    return this.read('/v1/orders', { ...query });
  }

  /** Moves money between two wallets of one currency, atomically. */
  createTransfer(transfer: CreateTransferRequest, options: IdempotencyOptions = {}): Promise<IdempotentResult<Transfer>> {
    return this.idempotentPost('/v1/transfers', transfer, keyInHeader(options));
  }

  getTransfer(transferId: string): Promise<Transfer> {
    return this.read(`/v1/transfers/${segment(transferId)}`);
  }

  /** Debits the wallet at once; the payout is PENDING until the rail settles it (poll getPayout). */
  createPayout(payout: CreatePayoutRequest, options: IdempotencyOptions = {}): Promise<IdempotentResult<Payout>> {
    return this.idempotentPost('/v1/payouts', payout, keyInHeader(options));
  }

  getPayout(payoutId: string): Promise<Payout> {
    return this.read(`/v1/payouts/${segment(payoutId)}`);
  }

  /** Registers an endpoint for events; keep the returned `secret`: it is shown only here. */
  registerWebhook(webhook: CreateWebhookRequest, options: IdempotencyOptions = {}): Promise<IdempotentResult<WebhookEndpointWithSecret>> {
    return this.idempotentPost('/v1/webhooks', webhook, keyInHeader(options));
  }

  getWebhook(webhookId: string): Promise<WebhookEndpoint> {
    return this.read(`/v1/webhooks/${segment(webhookId)}`);
  }

  /** A new secret, shown only here; for 24 hours deliveries are signed with the previous one too. */
  rotateWebhookSecret(webhookId: string, options: IdempotencyOptions = {}): Promise<IdempotentResult<WebhookEndpointWithSecret>> {
    return this.idempotentPost(`/v1/webhooks/${segment(webhookId)}/rotate-secret`, {}, keyInHeader(options));
  }

  /**
   * Deletes an endpoint: nothing more is sent to it, and its delivery attempts go with it. Retried like
   * a read; a retry whose first attempt did delete it answers NOT_FOUND (404), which then means deleted.
   */
  async deleteWebhook(webhookId: string): Promise<void> {
    await this.transport.send<void>({ method: 'DELETE', path: `/v1/webhooks/${segment(webhookId)}`, retry: true });
  }

  listWebhookDeliveries(webhookId: string, page: PageQuery = {}): Promise<Page<WebhookDelivery>> {
    return this.read(`/v1/webhooks/${segment(webhookId)}/deliveries`, { ...page });
  }

  /** Sends an attempt's event to its endpoint again, under the same `webhook-id`; retried safely under one key. */
  redeliverWebhook(webhookId: string, deliveryId: string, options: IdempotencyOptions = {}): Promise<IdempotentResult<WebhookRedelivery>> {
    return this.idempotentPost(`/v1/webhooks/${segment(webhookId)}/deliveries/${segment(deliveryId)}/redeliver`, {}, keyInHeader(options));
  }

  /** The records the server keeps under this key, one per endpoint it was used on (404 when none). */
  getIdempotencyKey(key: string): Promise<Page<IdempotencyRecord>> {
    return this.read(`/v1/idempotency-keys/${segment(key)}`);
  }

  /** Liveness. Not retried: a probe reports the state now. */
  async health(): Promise<HealthStatus> {
    return (await this.transport.send<HealthStatus>({ method: 'GET', path: '/health', retry: false })).data;
  }

  /** Readiness (the database answers); otherwise a LedgerlineError with code NOT_READY. Not retried. */
  async ready(): Promise<HealthStatus> {
    return (await this.transport.send<HealthStatus>({ method: 'GET', path: '/health/ready', retry: false })).data;
  }

  private async read<T>(path: string, query?: HttpRequest['query']): Promise<T> {
    return (await this.transport.send<T>({ method: 'GET', path, query, retry: true })).data;
  }

  private async idempotentPost<T>(path: string, body: object, carrier: KeyCarrier): Promise<IdempotentResult<T>> {
    const { data, headers, attempts } = await this.transport.send<T>({
      method: 'POST',
      path,
      body,
      headers: carrier.headers,
      query: carrier.query,
      retry: true,
      idempotencyKey: carrier.key,
    });
    return { data, idempotencyKey: carrier.key, replayed: headers.get('idempotency-replayed') === 'true', attempts };
  }
}

/** The key is fixed here, before the first attempt, so every retry of the operation carries it. */
function keyInHeader(options: IdempotencyOptions): KeyCarrier {
  const key = options.idempotencyKey ?? randomUUID();
  return { key, headers: { 'idempotency-key': key } };
}

function segment(value: string): string {
  return encodeURIComponent(value);
}
