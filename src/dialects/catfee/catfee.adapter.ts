import { Injectable } from '@nestjs/common';
import { BusinessValidationError } from '../../common/errors';
import { Operation } from '../../operations/operation';
import { OrdersService } from '../../orders/orders.service';
import { CatFeeOrderQuery, durationHours } from './catfee.dto';
import { presentCatFeeOrder } from './catfee.presenter';

/** CatFee's ENERGY: the seeded UNIT product priced in sun per unit-hour. */
export const CATFEE_ENERGY_PRODUCT_ID = 200;

/** CatFee's requests mapped onto the order service: energy, paid from the client's TRX wallet. */
@Injectable()
export class CatFeeAdapter {
  constructor(private readonly orders: OrdersService) {}

  /** Paid from the client's default TRX wallet (the energy product's currency). */
  buyEnergy(clientId: string, query: CatFeeOrderQuery): Operation {
    const hours = durationHours(query.duration);
    if (hours === undefined) throw new BusinessValidationError('duration', 'duration must be between 1h and 30d');
    const { order, operation } = this.orders.place(clientId, {
      productId: CATFEE_ENERGY_PRODUCT_ID,
      quantity: query.quantity,
      receiver: query.receiver,
      durationHours: hours,
      clientOrderId: query.client_order_id,
    });
    return operation.answering({ code: 0, data: presentCatFeeOrder(order) });
  }

  async getOrder(clientId: string, orderId: string) {
    return { code: 0, data: presentCatFeeOrder(await this.orders.get(clientId, orderId)) };
  }
}
