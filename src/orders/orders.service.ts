import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { NotFoundError } from '../common/errors';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { decided, Operation } from '../operations/operation';
import { ProductsService } from '../products/products.service';
import { debitRefusals } from '../wallets/debit-refusals';
import { ListOrdersQuery } from './dto/list-orders.query';
import { Order } from './order.entity';
import { OrdersRepository } from './orders.repository';
import { OrderResponse } from './dto/order.response';
import { presentOrder } from './orders.presenter';
import { priceOrder } from './pricing';

/** An order as every dialect states it: amounts in minor units. */
export interface OrderRequest {
  /** Absent: the client's oldest wallet in the product's currency (the dialects' implicit wallet). */
  walletId?: string;
  productId: number;
  quantity: number;
  denomination?: bigint;
  receiver?: string;
  metadata?: Record<string, unknown>;
  /** Rented products only (CatFee energy). */
  durationHours?: number;
  clientOrderId?: string;
}

/** The order as it will be once placed, and the operation that places it. */
export interface PreparedOrder {
  order: Order;
  operation: Operation;
}

@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly products: ProductsService,
  ) {}

  /**
   * Prices the order and prepares its placement (`place_order`): the wallet into REVENUE. Its id and
   * created_at come from this process, so the answer is known before the call; only a defaulted
   * wallet's id is the database's to fill in.
   */
  place(clientId: string, request: OrderRequest): PreparedOrder {
    const product = this.products.get(request.productId);
    const order: Order = {
      clientId,
      id: uuidv7(),
      clientOrderId: request.clientOrderId ?? null,
      status: 'COMPLETED',
      walletId: request.walletId ?? decided('wallet_id'),
      productId: product.id,
      quantity: request.quantity,
      denomination: request.denomination ?? null,
      receiver: request.receiver ?? null,
      amount: priceOrder(product, request.quantity, request.denomination, request.durationHours),
      currency: product.currency,
      metadata: request.metadata ?? null,
      durationHours: request.durationHours ?? null,
      createdAt: new Date(),
    };
    const view = presentOrder(order);
    const operation = new Operation(
      'place_order',
      {
        order_id: order.id,
        client_order_id: order.clientOrderId,
        wallet_id: request.walletId ?? null,
        product_id: order.productId,
        quantity: order.quantity,
        denomination: order.denomination,
        receiver: order.receiver,
        amount: order.amount,
        currency: order.currency,
        metadata: order.metadata,
        duration_hours: order.durationHours,
        created_at: order.createdAt,
      },
      view,
      debitRefusals(request.walletId === undefined ? `${order.currency} wallet` : 'Wallet', order.currency),
      view,
    );
    return { order, operation };
  }

  async get(clientId: string, orderId: string): Promise<Order> {
    const order = await this.orders.findOne(clientId, orderId);
    if (!order) throw new NotFoundError('Order');
    return order;
  }

  async list(clientId: string, query: ListOrdersQuery): Promise<Page<OrderResponse>> {
    const beforeId = decodeCursor(query.cursor, (key) => isUUID(key));
    const rows = await this.orders.findPage(clientId, query.limit, beforeId, query.client_order_id);
    return toPage(rows, query.limit, (order) => order.id, presentOrder);
  }
}
