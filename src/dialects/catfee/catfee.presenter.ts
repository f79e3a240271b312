import { createHash } from 'node:crypto';
import { minorUnitsToJson } from '../../common/money';
import { Order } from '../../orders/order.entity';

/**
 * The sandbox puts nothing on chain; each chain value is simulated (docs/dialects.md, "CatFee"):
 * transaction hashes are derived from the order id.
 */
const simulatedHash = (step: string, orderId: string) => createHash('sha256').update(`${step}:${orderId}`).digest('hex');

/** TRX staked for the energy, in the article example's proportion: 10 000 000 sun per 65 000 energy, rounded up. */
const stakedSun = (quantity: number) => minorUnitsToJson((BigInt(quantity) * 10_000_000n + 64_999n) / 65_000n);

/** An order in CatFee's fields, in the article's order (timestamps are unix seconds, amounts in sun). */
export function presentCatFeeOrder(order: Order) {
  const paidAt = Math.floor(order.createdAt.getTime() / 1000);
  const hours = order.durationHours ?? 1;
  const expiresAt = paidAt + hours * 3600;
  const paid = minorUnitsToJson(order.amount);
  return {
    id: order.id,
    client_order_id: order.clientOrderId,
    pay_timestamp: paidAt,
    receiver: order.receiver,
    delegate_hash: simulatedHash('delegate', order.id),
    delegate_timestamp: paidAt,
    reclaim_hash: simulatedHash('reclaim', order.id),
    reclaim_timestamp: expiresAt,
    pay_amount_sun: paid,
    // No receiver needs activating in the sandbox: the whole payment goes to the energy, as in the article's example.
    activate_amount_sun: paid,
    quantity: order.quantity,
    staked_sun: stakedSun(order.quantity),
    duration: hours,
    expired_timestamp: expiresAt,
    balance: order.quantity,
    resource_type: 'ENERGY',
    billing_type: 'TRANSFER',
    status: 'PAYMENT_SUCCESS',
    activate_status: 'DEACTIVATE',
    confirm_status: 'UNCONFIRMED',
  };
}
