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

/** Only the fields named change; null clears `external_id` or `metadata`. */
export interface UpdateWalletRequest {
  external_id?: string | null;
  metadata?: Metadata | null;
  /** Left out, it stays as it is; null is refused (VALIDATION_ERROR). */
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

/** The operator's credit (admin API): money that entered from outside, e.g. a bank transfer. */
export interface CreditRequest {
  amount: MinorUnits;
  /** The operator's own reference (1–255 characters), kept on the deposit as `reference`. */
  reference: string;
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

/**
 * A line of the cart (the Starship client portal's `POST /client/api/cart/items`). Unlike the rest
 * of the API, `denomination` is in **major units**, as Starship sends it: 25 is USD 25.00.
 */
export interface AddCartItemRequest {
  product_id: number;
  /** Major units: one of the product's denominations (25 for its 2500). */
  denomination: number;
  /** 1 to 10000. */
  quantity: number;
}

/** A line of the cart, priced when it was added; in minor units, like every answer. */
export interface CartItem {
  /** Also the id of the order it becomes at checkout. */
  id: string;
  product_id: number;
  denomination: MinorUnits | null;
  quantity: number;
  /** What the line costs at checkout. */
  amount: MinorUnits;
  currency: string;
  created_at: string;
}

/** The client's one cart, its lines all in one currency. */
export interface Cart {
  /** Null before the first line. */
  currency: string | null;
  /** Moves on every change of the lines: send it as `cart_version` to check out only this cart. */
  version: number;
  /** The lines' total. */
  amount: MinorUnits;
  items: CartItem[];
}

/** Everything optional: an empty request checks out the whole cart from the default wallet. */
export interface CheckoutCartRequest {
  /** Default: your oldest wallet in the cart's currency. */
  wallet_id?: string;
  /** The `version` of the cart you saw: any other answers 422 CART_CHANGED and orders nothing. */
  cart_version?: number;
}

/** Every line of the cart ordered at once, from one debit. */
export interface CartCheckout {
  id: string;
  status: 'COMPLETED';
  /** What was debited. */
  amount: MinorUnits;
  currency: string;
  /** One order per line, under the line's id, as `getOrder` shows it. */
  orders: Order[];
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

export interface ListRequestsQuery extends PageQuery {
  /** Only requests under this key: every attempt, across endpoints. */
  idempotency_key?: string;
  /** An exact status (`409`) or a class (`'4xx'`). */
  status?: number | `${1 | 2 | 3 | 4 | 5}xx`;
  /** A route template, e.g. `/v1/wallets/:id`. */
  route?: string;
}

/** One of your requests, as the request log keeps it (7 days by default), secrets redacted. */
export interface RequestLogEntry {
  /** The `X-Request-Id` it was answered with (a LedgerlineError's `requestId`). */
  id: string;
  method: string;
  /** The route template, e.g. `/v1/wallets/:id/deposits`. */
  route: string;
  /** The path as requested, with its query. */
  path: string;
  /** Null when no answer was sent (drop-response). */
  status: number | null;
  idempotency_key: string | null;
  /** Null for a request without a key. */
  idempotency_outcome: 'executed' | 'replayed' | 'reused' | 'in_use' | null;
  /** The sandbox fault it carried: `X-Sandbox-Fault` or a fault rule. */
  sandbox_fault: string | null;
  duration_ms: number;
  /** As received, secrets replaced by "[redacted]", at most 16 KiB. */
  request_body: string | null;
  /** As answered, secrets replaced by "[redacted]", at most 16 KiB. */
  response_body: string | null;
  created_at: string;
}

/**
 * What a fault rule gives: the request faults of `X-Sandbox-Fault` (`delay=MS`, MS at most 30000),
 * or `rail-reject`, which makes the sandbox payout rail reject (and refund) your next payouts.
 */
export type FaultRuleFault = 'drop-response' | 'fail-before-commit' | `delay=${number}` | 'rail-reject';

export interface CreateFaultRuleRequest {
  fault: FaultRuleFault;
  /** A write's method and route template, e.g. `POST /v1/orders`; it matches the routes sharing its key scope too. Absent: any keyed request. Not with rail-reject. */
  endpoint?: string;
  /** Only requests whose idempotency key starts with this. Not with rail-reject. */
  key_prefix?: string;
  /** 1 to 100: how many matching requests (or payouts) get the fault. */
  times: number;
}

/** A sandbox fault rule; at most 20 armed (remaining above 0) at once. */
export interface FaultRule {
  id: string;
  fault: FaultRuleFault;
  endpoint: string | null;
  key_prefix: string | null;
  /** Uses left; 0 once spent. */
  remaining: number;
  created_at: string;
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
