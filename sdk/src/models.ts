/**
 * The API's JSON shapes, field for field: snake_case, exactly as Ledgerline sends and reads them.
 *
 * Money is an integer count of minor units (`10500` is 105.00 USD) with an ISO-4217 `currency`.
 * The API keeps every amount and balance within 1..2^53-1 (9007199254740991), so a JavaScript
 * number holds it exactly; never do float arithmetic on it in major units.
 */
export type MinorUnits = number;

/** Free-form JSON object attached to a resource, at most 4 KiB serialised. */
export type Metadata = Record<string, unknown>;

/** Every list: newest first, `next_cursor` is null on the last page. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface PageQuery {
  /** 1 to 100, default 20. */
  limit?: number;
  /** The `next_cursor` of the previous page. */
  cursor?: string;
}

export interface Wallet {
  id: string;
  currency: string;
  balance: MinorUnits;
  external_id: string | null;
  metadata: Metadata | null;
  /** Whether other clients may transfer into it; to them it does not exist otherwise. */
  accepts_external_transfers: boolean;
  created_at: string;
}

export interface CreateWalletRequest {
  /** ISO-4217 code, or TRX. */
  currency: string;
  external_id?: string;
  metadata?: Metadata;
  /** Default false: other clients' transfers answer as if the wallet did not exist. */
  accepts_external_transfers?: boolean;
}

export interface DepositRequest {
  amount: MinorUnits;
}

/** Sandbox funding of a wallet. */
export interface Deposit {
  id: string;
  wallet_id: string;
  amount: MinorUnits;
  currency: string;
  balance_after: MinorUnits;
  /** The operator's reference of a credit (admin API); null for a sandbox deposit. */
  reference: string | null;
  created_at: string;
}

export type LedgerEntryType = 'DEPOSIT' | 'ORDER' | 'TRANSFER_IN' | 'TRANSFER_OUT' | 'PAYOUT' | 'PAYOUT_REFUND';
export type LedgerReferenceType = 'DEPOSIT' | 'ORDER' | 'TRANSFER' | 'PAYOUT';

/** One line of a wallet's double-entry ledger. */
export interface LedgerEntry {
  /** A bigint identity carried as a string, so it never loses precision. */
  id: string;
  wallet_id: string;
  type: LedgerEntryType;
  /** Signed: negative for a debit. */
  amount: MinorUnits;
  balance_after: MinorUnits | null;
  reference_type: LedgerReferenceType;
  reference_id: string;
  created_at: string;
}

export interface Product {
  id: number;
  name: string;
  /** DENOMINATION: fixed face values (gift cards); UNIT: unit_price × quantity (energy). */
  type: 'DENOMINATION' | 'UNIT';
  currency: string;
  denominations: MinorUnits[] | null;
  unit_price: MinorUnits | null;
}

export interface PlaceOrderRequest {
  wallet_id: string;
  product_id: number;
  /** 1 to 10000. */
  quantity: number;
  /** Required for a DENOMINATION product (one of its `denominations`), refused for a UNIT one. */
  denomination?: MinorUnits;
  /** Who receives the goods: an e-mail, a phone number, an address... */
  receiver?: string;
  metadata?: Metadata;
}

export interface Order {
  id: string;
  client_order_id: string | null;
  status: 'COMPLETED';
  wallet_id: string;
  product_id: number;
  quantity: number;
  denomination: MinorUnits | null;
  receiver: string | null;
  amount: MinorUnits;
  currency: string;
  metadata: Metadata | null;
  created_at: string;
}

export interface ListOrdersQuery extends PageQuery {
  /** Every order placed under this reference, newest first. */
  client_order_id?: string;
}

export interface CreateTransferRequest {
  from_wallet_id: string;
  to_wallet_id: string;
  amount: MinorUnits;
  description?: string;
}

export interface Transfer {
  id: string;
  status: 'COMPLETED';
  from_wallet_id: string;
  to_wallet_id: string;
  amount: MinorUnits;
  currency: string;
  description: string | null;
  created_at: string;
}

export type PayoutDestination =
  | { type: 'bank_account'; account_number: string }
  | { type: 'crypto_address'; network: string; address: string };

export interface CreatePayoutRequest {
  wallet_id: string;
  amount: MinorUnits;
  destination: PayoutDestination;
  metadata?: Metadata;
}

export interface Payout {
  id: string;
  /** PENDING until the rail settles it; FAILED payouts are refunded to the wallet once. */
  status: 'PENDING' | 'COMPLETED' | 'FAILED';
  wallet_id: string;
  amount: MinorUnits;
  currency: string;
  destination: PayoutDestination;
  failure_reason: string | null;
  metadata: Metadata | null;
  created_at: string;
  updated_at: string;
}

/** The caller's record of one key on one endpoint (`GET /v1/idempotency-keys/:key`). */
export interface IdempotencyRecord {
  key: string;
  /** Method and route template, e.g. `POST /v1/orders`. */
  endpoint: string;
  state: 'COMPLETED' | 'EXPIRED';
  response_status: number;
  created_at: string;
  expires_at: string;
}

export type WebhookEventType = 'order.completed' | 'deposit.completed' | 'transfer.completed' | 'payout.completed' | 'payout.failed';

export interface CreateWebhookRequest {
  /** Production: https, resolving to public addresses only. */
  url: string;
  events: WebhookEventType[];
}

/** An endpoint; deliveries to it follow Standard Webhooks 1.0 (verify them with `standardwebhooks` or `svix`). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  events: WebhookEventType[];
  /** DISABLED once its receiver answered 410 Gone: nothing more is sent to it. */
  status: 'ENABLED' | 'DISABLED';
  disabled_at: string | null;
  /** After a rotation: until when deliveries carry the previous secret's signature too. */
  previous_secret_expires_at: string | null;
  created_at: string;
}

/** At registration and rotation only: `whsec_` + base64 of the 32-byte HMAC key. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  secret: string;
}

/** One attempt to deliver an event, newest first in `listWebhookDeliveries`. */
export interface WebhookDelivery {
  id: string;
  /** Also the `webhook-id` header: de-duplicate on it. */
  event_id: string;
  event_type: WebhookEventType;
  attempt: number;
  status: 'DELIVERED' | 'FAILED';
  /** The receiver's HTTP status; null when it never answered. */
  response_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: string;
  /** When this failed attempt is retried; null when no retry is waiting. */
  next_retry_at: string | null;
}

/** A delivery queued again (`redeliverWebhook`). */
export interface WebhookRedelivery {
  webhook_id: string;
  delivery_id: string;
  event_id: string;
  event_type: WebhookEventType;
  queued_at: string;
}

export interface HealthIndicator {
  status: 'up' | 'down';
  [detail: string]: unknown;
}

/** `/health` and `/health/ready` when they succeed; a failed readiness check is a 503 `NOT_READY`. */
export interface HealthStatus {
  status: 'ok';
  info: Record<string, HealthIndicator>;
  error: Record<string, HealthIndicator>;
  details: Record<string, HealthIndicator>;
}

export interface CreateClientRequest {
  name: string;
}

/** A new tenant. The secret is shown in this answer only: the service keeps just its hash. */
export interface IssuedClient {
  id: string;
  name: string;
  api_key: string;
  api_secret: string;
}

export interface LedgerCheckReport {
  ok: boolean;
  /** Per currency, the sum of every balance and system account: "0" when the books balance. A decimal string, as it may pass 2^53. */
  currencies: Array<{ currency: string; sum: string }>;
  /** Wallets whose balance differs from the sum of their entries. */
  mismatches: Array<{ client_id: string; wallet_id: string; currency: string; balance: string; entries_sum: string }>;
}
