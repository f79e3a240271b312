import { minorUnitsToJson } from '../common/money';
import { decided } from '../operations/operation';
import { OrderResponse } from '../orders/dto/order.response';
import { presentOrder } from '../orders/orders.presenter';
import { Cart, CartItem } from './cart';
import { CartItemResponse, CartResponse } from './dto/cart.response';

export function presentCartItem(item: CartItem): CartItemResponse {
  return {
    id: item.id,
    product_id: item.productId,
    denomination: item.denomination === null ? null : minorUnitsToJson(item.denomination),
    quantity: item.quantity,
    amount: minorUnitsToJson(item.amount),
    currency: item.currency,
    created_at: item.createdAt.toISOString(),
  };
}

export function presentCart(cart: Cart): CartResponse {
  return {
    currency: cart.currency,
    version: cart.version,
    amount: minorUnitsToJson(cart.items.reduce((total, item) => total + item.amount, 0n)),
    items: cart.items.map(presentCartItem),
  };
}

/**
 * The order a line becomes at checkout, as presentOrder shows every order, with what only the
 * checkout's call knows (the line, the wallet) left as placeholders named as the fields:
 * `checkout_cart` fills one copy per line.
 */
export function presentLineOrder(createdAt: Date): OrderResponse {
  const order = presentOrder({
    clientId: '',
    id: decided('id'),
    clientOrderId: null,
    status: 'COMPLETED',
    walletId: decided('wallet_id'),
    productId: decided('product_id'),
    quantity: decided('quantity'),
    denomination: null,
    receiver: null,
    amount: 0n,
    currency: decided('currency'),
    metadata: null,
    durationHours: null,
    createdAt,
  });
  // Money goes through minorUnitsToJson, which takes no placeholder: the line's is put in after.
  return { ...order, denomination: decided('denomination'), amount: decided('amount') };
}
