import { Injectable } from '@nestjs/common';
import { BusinessValidationError } from '../../common/errors';
import { majorToMinorUnits } from '../../common/money';
import { OrdersService } from '../../orders/orders.service';
import { presentOrder } from '../../orders/orders.presenter';
import { PayoutsService } from '../../payouts/payouts.service';
import { ProductsService } from '../../products/products.service';
import { WalletsService } from '../../wallets/wallets.service';
import { StarshipOrderDto, StarshipPayoutDto } from './starship.dto';

/**
 * Starship's requests mapped onto Ledgerline's services: the wallet is implicit (the client's
 * oldest in the currency) and amounts come in major units. No business rule lives here.
 */
@Injectable()
export class StarshipAdapter {
  constructor(
    private readonly orders: OrdersService,
    private readonly payouts: PayoutsService,
    private readonly products: ProductsService,
    private readonly wallets: WalletsService,
  ) {}

  async placeOrder(clientId: string, dto: StarshipOrderDto) {
    const product = await this.products.get(dto.product_id);
    const denomination = majorToMinorUnits(dto.denomination, product.currency);
    if (denomination === undefined) throw new BusinessValidationError('denomination', 'denomination is out of range');
    const order = await this.orders.place(clientId, {
      walletId: dto.wallet_id ?? (await this.wallets.defaultWalletId(clientId, product.currency)),
      productId: product.id,
      quantity: dto.quantity,
      denomination,
      receiver: dto.receiver,
      metadata: dto.metadata,
    });
    return presentOrder(order);
  }

  async createPayout(clientId: string, dto: StarshipPayoutDto) {
    const amount = majorToMinorUnits(dto.amount, dto.currency);
    if (amount === undefined) throw new BusinessValidationError('amount', `amount has more decimals than ${dto.currency} allows, or is out of range`);
    return this.payouts.create(clientId, {
      walletId: dto.wallet_id ?? (await this.wallets.defaultWalletId(clientId, dto.currency)),
      amount,
      destination: dto.destination,
      metadata: dto.metadata,
    });
  }
}
