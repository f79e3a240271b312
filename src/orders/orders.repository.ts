import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { queryPrepared } from '../database/prepared';
import { TxHost } from '../database/transaction';
import { Order } from './order.entity';

@Injectable()
export class OrdersRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /** A plain INSERT: TypeORM's save() would first SELECT the row to choose between insert and update. */
  async insert(order: Omit<Order, 'createdAt'>): Promise<Order> {
    const { rows } = await queryPrepared<{ created_at: Date }>(
      this.txHost.tx,
      'order_insert',
      `INSERT INTO orders (client_id, id, client_order_id, status, wallet_id, product_id, quantity, denomination,
                           receiver, amount, currency, metadata, duration_hours)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       RETURNING created_at`,
      [
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
      ],
    );
    return this.txHost.tx.create(Order, { ...order, createdAt: rows[0].created_at });
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
