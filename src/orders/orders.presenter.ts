import { minorUnitsToJson } from '../common/money';
import { OrderResponse } from './dto/order.response';
import { Order } from './order.entity';

export function presentOrder(order: Order): OrderResponse {
  return {
    id: order.id,
    client_order_id: order.clientOrderId,
    status: order.status,
    wallet_id: order.walletId,
    product_id: order.productId,
    quantity: order.quantity,
    denomination: order.denomination === null ? null : minorUnitsToJson(order.denomination),
    receiver: order.receiver,
    amount: minorUnitsToJson(order.amount),
    currency: order.currency,
    metadata: order.metadata,
    created_at: order.createdAt.toISOString(),
  };
}
