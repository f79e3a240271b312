import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { TxHost } from '../database/transaction';
import { Order } from './order.entity';

@Injectable()
export class OrdersRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

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
