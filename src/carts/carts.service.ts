import { HttpStatus, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { CurrencyMismatchError, DomainError, NotFoundError } from '../common/errors';
import { decided, Operation } from '../operations/operation';
import { priceOrder } from '../orders/pricing';
import { ProductsService } from '../products/products.service';
import { debitRefusals } from '../wallets/debit-refusals';
import { CartItem } from './cart';
import { CartsRepository } from './carts.repository';
import { presentCart, presentCartItem, presentLineOrder } from './carts.presenter';
import { CartResponse, CheckoutResponse } from './dto/cart.response';

/** Bounds the work of one checkout (one order, ledger posting and event per line). */
export const MAX_CART_LINES = 100;

/** A line as every dialect states it: the denomination in minor units. */
export interface CartLineRequest {
  productId: number;
  quantity: number;
  denomination?: bigint;
}

export interface CheckoutRequest {
  /** Absent: the client's oldest wallet in the cart's currency. */
  walletId?: string;
  /** Present: check out only if the cart is still at this version. */
  cartVersion?: number;
}

const ADD_REFUSALS: Record<string, DomainError> = {
  CURRENCY_MISMATCH: new CurrencyMismatchError('A cart holds one currency, and this product is priced in another: check the cart out or empty it first'),
  CART_FULL: new DomainError(HttpStatus.UNPROCESSABLE_ENTITY, 'CART_FULL', `A cart holds at most ${MAX_CART_LINES} lines`),
};

// The cart's currency is the database's to know when the call runs: no refusal names it.
const CHECKOUT_REFUSALS: Record<string, DomainError> = {
  CART_EMPTY: new DomainError(HttpStatus.UNPROCESSABLE_ENTITY, 'CART_EMPTY', 'The cart is empty: add items before checking out'),
  CART_CHANGED: new DomainError(
    HttpStatus.UNPROCESSABLE_ENTITY,
    'CART_CHANGED',
    'The cart changed since the cart_version given: read it again, then check out with a new Idempotency-Key',
  ),
  ...debitRefusals('Wallet'),
  CURRENCY_MISMATCH: new CurrencyMismatchError('The wallet does not hold the cart’s currency'),
};

/**
 * The client portal's cart. A line is priced when it is added, so the cart shows what checkout will
 * charge, and checkout needs no read before its one call: `checkout_cart` orders whatever lines the
 * cart holds under its lock.
 */
@Injectable()
export class CartsService {
  constructor(
    private readonly carts: CartsRepository,
    private readonly products: ProductsService,
  ) {}

  /** Prices the line (`add_cart_item`); the call refuses a second currency or a full cart. */
  addItem(request: CartLineRequest): Operation {
    const product = this.products.get(request.productId);
    const item: CartItem = {
      id: uuidv7(),
      productId: product.id,
      quantity: request.quantity,
      denomination: request.denomination ?? null,
      amount: priceOrder(product, request.quantity, request.denomination),
      currency: product.currency,
      createdAt: new Date(),
    };
    return new Operation(
      'add_cart_item',
      {
        item_id: item.id,
        product_id: item.productId,
        quantity: item.quantity,
        denomination: item.denomination,
        amount: item.amount,
        currency: item.currency,
        max_lines: MAX_CART_LINES,
        created_at: item.createdAt,
      },
      presentCartItem(item),
      ADD_REFUSALS,
    );
  }

  async get(clientId: string): Promise<CartResponse> {
    return presentCart(await this.carts.findCart(clientId));
  }

  async removeItem(clientId: string, itemId: string): Promise<void> {
    if (!(await this.carts.removeItem(clientId, itemId))) throw new NotFoundError('Cart item');
  }

  /**
   * Prepares the checkout (`checkout_cart`): every line ordered from one debit of the total, all or
   * nothing. The total, the currency and the orders are the call's to fill in.
   */
  checkout(request: CheckoutRequest): Operation {
    const id = uuidv7();
    const createdAt = new Date();
    const view: CheckoutResponse = { id, status: 'COMPLETED', amount: decided('amount'), currency: decided('currency'), orders: decided('orders') };
    return new Operation(
      'checkout_cart',
      {
        checkout_id: id,
        wallet_id: request.walletId ?? null,
        cart_version: request.cartVersion ?? null,
        order_template: JSON.stringify(presentLineOrder(createdAt)),
        created_at: createdAt,
      },
      view,
      CHECKOUT_REFUSALS,
    );
  }
}
