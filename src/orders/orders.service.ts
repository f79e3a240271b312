import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { NotFoundError } from '../common/errors';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { Effects } from '../idempotency/effects';
import { ProductsService } from '../products/products.service';
import { WalletsService } from '../wallets/wallets.service';
import { ListOrdersQuery } from './dto/list-orders.query';
import { Order } from './order.entity';
import { OrdersRepository } from './orders.repository';
import { OrderResponse } from './dto/order.response';
import { presentOrder } from './orders.presenter';
import { priceOrder } from './pricing';

/** An order as every dialect states it: amounts in minor units, the wallet already chosen. */
export interface OrderRequest {
  walletId: string;
  productId: number;
  quantity: number;
  denomination?: bigint;
  receiver?: string;
  metadata?: Record<string, unknown>;
  /** Rented products only (CatFee energy). */
  durationHours?: number;
  clientOrderId?: string;
}

@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly products: ProductsService,
    private readonly wallets: WalletsService,
    private readonly effects: Effects,
  ) {}

  /**
   * Debits the wallet into REVENUE and records the order, as one effect: fused with the claim in one
   * statement on a first-time request, or inside the caller's (idempotent) transaction. Its id and
   * created_at come from this process, so the response is known before the statement runs.
   */
  async place(clientId: string, request: OrderRequest): Promise<Order> {
    const product = this.products.get(request.productId);
    const order: Order = {
      clientId,
      id: uuidv7(),
      clientOrderId: request.clientOrderId ?? null,
      status: 'COMPLETED',
      walletId: request.walletId,
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
    await this.effects.apply({
      ...this.orders.placementEffect(order),
      refusal: () => this.wallets.refuseDebit(clientId, order.walletId, order.currency),
      event: { clientId, type: 'order.completed', data: presentOrder(order) },
    });
    return order;
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
