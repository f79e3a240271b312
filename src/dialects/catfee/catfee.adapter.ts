import { Injectable } from '@nestjs/common';
import { BusinessValidationError } from '../../common/errors';
import { OrdersService } from '../../orders/orders.service';
import { WalletsService } from '../../wallets/wallets.service';
import { CatFeeOrderQuery, durationHours } from './catfee.dto';
import { presentCatFeeOrder } from './catfee.presenter';

/** CatFee's ENERGY: the seeded UNIT product priced in sun per unit-hour. */
export const CATFEE_ENERGY_PRODUCT_ID = 200;

/** CatFee's requests mapped onto the order service: energy, paid from the client's TRX wallet. */
@Injectable()
export class CatFeeAdapter {
  constructor(
    private readonly orders: OrdersService,
    private readonly wallets: WalletsService,
  ) {}

  async buyEnergy(clientId: string, query: CatFeeOrderQuery) {
    const hours = durationHours(query.duration);
    if (hours === undefined) throw new BusinessValidationError('duration', 'duration must be between 1h and 30d');
    const order = await this.orders.place(clientId, {
      walletId: await this.wallets.defaultWalletId(clientId, 'TRX'),
      productId: CATFEE_ENERGY_PRODUCT_ID,
      quantity: query.quantity,
      receiver: query.receiver,
      durationHours: hours,
      clientOrderId: query.client_order_id,
    });
    return { code: 0, data: presentCatFeeOrder(order) };
  }

  async getOrder(clientId: string, orderId: string) {
    return { code: 0, data: presentCatFeeOrder(await this.orders.get(clientId, orderId)) };
  }
}
