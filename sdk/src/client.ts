import { IdempotencyOptions, IdempotentResult, KeyCarrier, keyInHeader, sendKeyed } from './idempotency';
import {
  AddCartItemRequest,
  Cart,
  CartCheckout,
  CartItem,
  CheckoutCartRequest,
  CreateFaultRuleRequest,
  CreatePayoutRequest,
  CreateTransferRequest,
  CreateWalletRequest,
  CreateWebhookRequest,
  Deposit,
  DepositRequest,
  FaultRule,
  HealthStatus,
  IdempotencyRecord,
  LedgerEntry,
  ListOrdersQuery,
  ListRequestsQuery,
  Order,
  Page,
  PageQuery,
  Payout,
  PlaceOrderRequest,
  Product,
  RequestLogEntry,
  Transfer,
  UpdateWalletRequest,
  Wallet,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookRedelivery,
} from './models';
import { ConnectionOptions, HttpRequest, segment, Transport } from './transport';

export interface LedgerlineOptions extends ConnectionOptions {
  /** `X-API-Key` of the client (tenant). */
  apiKey: string;
  /** `X-API-Secret`, shown once when the client was created. */
  apiSecret: string;
}

/**
 * An order's key travels either in the `Idempotency-Key` header or as `client_order_id` (1–250
 * visible ASCII characters), which the order then carries and `listOrders` can search by. One or
 * the other: two different keys would be refused as ambiguous.
 */
export type PlaceOrderOptions = (IdempotencyOptions & { clientOrderId?: never }) | { clientOrderId: string; idempotencyKey?: never };

/**
 * The Ledgerline API for one client (tenant). Every POST and PATCH carries an idempotency key and is
 * retried safely under it; reads and deletes are retried too; see RetryOptions for the policy.
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

  /** Changes only the fields named (null clears `external_id` or `metadata`); retried safely under one key, like a POST. */
  updateWallet(walletId: string, changes: UpdateWalletRequest, options: IdempotencyOptions = {}): Promise<IdempotentResult<Wallet>> {
    return sendKeyed(this.transport, 'PATCH', `/v1/wallets/${segment(walletId)}`, changes, keyInHeader(options));
  }

  listWalletTransactions(walletId: string, page: PageQuery = {}): Promise<Page<LedgerEntry>> {
    return this.read(`/v1/wallets/${segment(walletId)}/transactions`, { ...page });
  }

  /** Sandbox funding: credits the wallet from the FUNDING system account. */
  deposit(walletId: string, deposit: DepositRequest, options: IdempotencyOptions = {}): Promise<IdempotentResult<Deposit>> {
    return this.idempotentPost(`/v1/wallets/${segment(walletId)}/deposits`, deposit, keyInHeader(options));
  }

  listProducts(page: PageQuery = {}): Promise<Page<Product>> {
    return this.read('/v1/products', { ...page });
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

  listPayouts(page: PageQuery = {}): Promise<Page<Payout>> {
    return this.read('/v1/payouts', { ...page });
  }

  /** Registers an endpoint for events; keep the returned `secret`: it is shown only here. */
  registerWebhook(webhook: CreateWebhookRequest, options: IdempotencyOptions = {}): Promise<IdempotentResult<WebhookEndpointWithSecret>> {
    return this.idempotentPost('/v1/webhooks', webhook, keyInHeader(options));
  }

  getWebhook(webhookId: string): Promise<WebhookEndpoint> {
    return this.read(`/v1/webhooks/${segment(webhookId)}`);
  }

  /** Your endpoints, newest first; their secrets are never shown again. */
  listWebhooks(page: PageQuery = {}): Promise<Page<WebhookEndpoint>> {
    return this.read('/v1/webhooks', { ...page });
  }

  /** A new secret, shown only here; for 24 hours deliveries are signed with the previous one too. */
  rotateWebhookSecret(webhookId: string, options: IdempotencyOptions = {}): Promise<IdempotentResult<WebhookEndpointWithSecret>> {
    return this.idempotentPost(`/v1/webhooks/${segment(webhookId)}/rotate-secret`, {}, keyInHeader(options));
  }

  /**
   * Deletes an endpoint: nothing more is sent to it, and its delivery attempts go with it. Retried like
   * a read; a retry whose first attempt did delete it answers NOT_FOUND (404), which then means deleted.
   */
  deleteWebhook(webhookId: string): Promise<void> {
    return this.remove(`/v1/webhooks/${segment(webhookId)}`);
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

  /**
   * Your requests, newest first, filtered by key, status or route. Entries are written in batches off
   * the request path, so the newest may appear a moment later. 404 where the service keeps no log.
   */
  listRequests(query: ListRequestsQuery = {}): Promise<Page<RequestLogEntry>> {
    return this.read('/v1/requests', { ...query });
  }

  /** One logged request, by the `X-Request-Id` it was answered with (a LedgerlineError's `requestId`). */
  getRequest(requestId: string): Promise<RequestLogEntry> {
    return this.read(`/v1/requests/${segment(requestId)}`);
  }

  /**
   * Sandbox only (404 in production): your next `times` keyed requests matching `endpoint` and
   * `key_prefix` get `fault` as if they had sent `X-Sandbox-Fault`, each use spent exactly once.
   */
  createFaultRule(rule: CreateFaultRuleRequest, options: IdempotencyOptions = {}): Promise<IdempotentResult<FaultRule>> {
    return this.idempotentPost('/v1/sandbox/fault-rules', rule, keyInHeader(options));
  }

  /** Every rule you armed, newest first, with its uses left. Sandbox only. */
  listFaultRules(page: PageQuery = {}): Promise<Page<FaultRule>> {
    return this.read('/v1/sandbox/fault-rules', { ...page });
  }

  /** Disarms and forgets a rule, spent or not. Retried like deleteWebhook: a retry that finds it gone answers NOT_FOUND. */
  deleteFaultRule(ruleId: string): Promise<void> {
    return this.remove(`/v1/sandbox/fault-rules/${segment(ruleId)}`);
  }

  /** The cart of the Starship client portal: its lines, total and version. */
  getCart(): Promise<Cart> {
    return this.read('/client/api/cart');
  }

  /** Adds a line, priced now; `denomination` is in major units. A cart holds one currency (another: 422 CURRENCY_MISMATCH). */
  addCartItem(item: AddCartItemRequest, options: IdempotencyOptions = {}): Promise<IdempotentResult<CartItem>> {
    return this.idempotentPost('/client/api/cart/items', item, keyInHeader(options));
  }

  /** Removes a line. Retried like deleteWebhook: a retry that finds it gone (or already ordered) answers NOT_FOUND. */
  removeCartItem(itemId: string): Promise<void> {
    return this.remove(`/client/api/cart/items/${segment(itemId)}`);
  }

  /** Orders every line of the cart in one transaction, all or nothing, from one debit; the cart empties. */
  checkoutCart(checkout: CheckoutCartRequest = {}, options: IdempotencyOptions = {}): Promise<IdempotentResult<CartCheckout>> {
    return this.idempotentPost('/client/api/cart/checkout', checkout, keyInHeader(options));
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

  private async remove(path: string): Promise<void> {
    await this.transport.send<void>({ method: 'DELETE', path, retry: true });
  }

  private idempotentPost<T>(path: string, body: object, carrier: KeyCarrier): Promise<IdempotentResult<T>> {
    return sendKeyed(this.transport, 'POST', path, body, carrier);
  }
}
