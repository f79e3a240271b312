import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { TxHost } from '../database/transaction';
import { Effect } from '../idempotency/effects';
import { Order } from './order.entity';

@Injectable()
export class OrdersRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /**
   * The order's effect, in CTEs (see Effect): the guarded debit, the order row, and its two ledger
   * entries (the wallet's, with the balance the debit left, and REVENUE's). Nothing is written
   * unless the key was claimed and the wallet holds the currency and enough of it.
   */
  placementEffect(order: Order): Pick<Effect, 'name' | 'ctes' | 'proof' | 'params'> {
    return {
      name: 'order_place',
      proof: 'debit',
      ctes: `debit AS (
         UPDATE wallets SET balance = balance - $10::bigint
         WHERE client_id = $1::uuid AND id = $5::uuid AND currency = $11::text AND balance >= $10::bigint
           AND EXISTS (SELECT 1 FROM claim)
         RETURNING balance),
       placed AS (
         INSERT INTO orders (client_id, id, client_order_id, status, wallet_id, product_id, quantity, denomination,
                             receiver, amount, currency, metadata, duration_hours, created_at)
         SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::uuid, $6::integer, $7::integer, $8::bigint,
                $9::text, $10::bigint, $11::text, $12::jsonb, $13::integer, $14::timestamptz
         FROM debit),
       posted AS (
         INSERT INTO ledger_entries
           (client_id, wallet_id, system_account, currency, type, amount, balance_after, reference_type, reference_id)
         SELECT $1::uuid, $5::uuid, NULL, $11::text, 'ORDER', -$10::bigint, balance, 'ORDER', $2::uuid FROM debit
         UNION ALL
         SELECT $1::uuid, NULL, 'REVENUE', $11::text, 'ORDER', $10::bigint, NULL, 'ORDER', $2::uuid FROM debit)`,
      params: [
        order.clientId,
        order.id,
        order.clientOrderId,
        order.status,
        order.walletId,
        order.productId,
        order.quantity,
        order.denomination?.toString() ?? null,
        order.receiver,
        order.amount.toString(),
        order.currency,
        order.metadata,
        order.durationHours,
        order.createdAt,
      ],
    };
  }

  findOne(clientId: string, id: string): Promise<Order | null> {
    return this.txHost.tx.findOneBy(Order, { clientId, id });
  }

  /** Newest first, optionally only those placed under one client_order_id. */
  findPage(clientId: string, limit: number, beforeId?: string, clientOrderId?: string): Promise<Order[]> {
    const query = this.txHost.tx
      .createQueryBuilder(Order, 'o')
      .where('o.client_id = :clientId', { clientId })
      .orderBy('o.id', 'DESC')
      .limit(limit + 1);
    if (clientOrderId !== undefined) query.andWhere('o.client_order_id = :clientOrderId', { clientOrderId });
    if (beforeId) query.andWhere('o.id < :beforeId', { beforeId });
    return query.getMany();
  }
}
