import { createHash } from 'node:crypto';
import { minorUnitsToJson } from '../../common/money';
import { Order } from '../../orders/order.entity';

/** The sandbox delegates nothing on chain: its transaction hashes are derived from the order id. */
const simulatedHash = (step: string, orderId: string) => createHash('sha256').update(`${step}:${orderId}`).digest('hex');

/** An order in CatFee's fields (its timestamps are unix seconds, amounts in sun). */
export function presentCatFeeOrder(order: Order) {
  const paidAt = Math.floor(order.createdAt.getTime() / 1000);
  const hours = order.durationHours ?? 1;
  const expiresAt = paidAt + hours * 3600;
  return {
    id: order.id,
    client_order_id: order.clientOrderId,
    receiver: order.receiver,
    quantity: order.quantity,
    duration: hours,
    pay_amount_sun: minorUnitsToJson(order.amount),
    balance: order.quantity,
    resource_type: 'ENERGY',
    billing_type: 'TRANSFER',
    status: 'PAYMENT_SUCCESS',
    pay_timestamp: paidAt,
    delegate_hash: simulatedHash('delegate', order.id),
    delegate_timestamp: paidAt,
    reclaim_hash: simulatedHash('reclaim', order.id),
    reclaim_timestamp: expiresAt,
    expired_timestamp: expiresAt,
  };
}
