import { Injectable } from '@nestjs/common';
import { BusinessValidationError } from '../../common/errors';
import { majorToMinorUnits } from '../../common/money';
import { Operation } from '../../operations/operation';
import { OrdersService } from '../../orders/orders.service';
import { PayoutsService } from '../../payouts/payouts.service';
import { ProductsService } from '../../products/products.service';
import { StarshipOrderDto, StarshipPayoutDto } from './starship.dto';

/**
 * Starship's requests mapped onto Ledgerline's services: the wallet is implicit (the client's
 * oldest in the currency, chosen by the operation itself) and amounts come in major units. No
 * business rule lives here.
 */
@Injectable()
export class StarshipAdapter {
  constructor(
    private readonly orders: OrdersService,
    private readonly payouts: PayoutsService,
    private readonly products: ProductsService,
  ) {}

  placeOrder(clientId: string, dto: StarshipOrderDto): Operation {
    const product = this.products.get(dto.product_id);
    const denomination = majorToMinorUnits(dto.denomination, product.currency);
    if (denomination === undefined) throw new BusinessValidationError('denomination', 'denomination is out of range');
    return this.orders.place(clientId, {
      walletId: dto.wallet_id,
      productId: product.id,
      quantity: dto.quantity,
      denomination,
      receiver: dto.receiver,
      metadata: dto.metadata,
    }).operation;
  }

  createPayout(dto: StarshipPayoutDto): Operation {
    const amount = majorToMinorUnits(dto.amount, dto.currency);
    if (amount === undefined) throw new BusinessValidationError('amount', `amount has more decimals than ${dto.currency} allows, or is out of range`);
    return this.payouts.create({
      walletId: dto.wallet_id,
      currency: dto.currency,
      amount,
      destination: dto.destination,
      metadata: dto.metadata,
    });
  }
}
