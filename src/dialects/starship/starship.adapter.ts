import { Injectable } from '@nestjs/common';
import { CartsService } from '../../carts/carts.service';
import { CheckoutDto } from '../../carts/dto/checkout.dto';
import { BusinessValidationError } from '../../common/errors';
import { majorToMinorUnits, minorUnitDigits } from '../../common/money';
import { Operation } from '../../operations/operation';
import { OrdersService } from '../../orders/orders.service';
import { PayoutsService } from '../../payouts/payouts.service';
import { ProductsService } from '../../products/products.service';
import { StarshipLineDto, StarshipOrderDto, StarshipPayoutDto } from './starship.dto';

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
    private readonly carts: CartsService,
  ) {}

  placeOrder(clientId: string, dto: StarshipOrderDto): Operation {
    return this.orders.place(clientId, {
      walletId: dto.wallet_id,
      productId: dto.product_id,
      quantity: dto.quantity,
      denomination: this.denominationOf(dto),
      receiver: dto.receiver,
      metadata: dto.metadata,
    }).operation;
  }

  createPayout(dto: StarshipPayoutDto): Operation {
    const amount = majorToMinorUnits(dto.amount, dto.currency);
    if (amount === undefined) {
      throw new BusinessValidationError('amount', `amount must be a positive number of ${dto.currency} with at most ${minorUnitDigits(dto.currency)} decimals, within range`);
    }
    return this.payouts.create({
      walletId: dto.wallet_id,
      currency: dto.currency,
      amount,
      destination: dto.destination,
      metadata: dto.metadata,
    });
  }

  addToCart(dto: StarshipLineDto): Operation {
    return this.carts.addItem({ productId: dto.product_id, quantity: dto.quantity, denomination: this.denominationOf(dto) });
  }

  checkOut(dto: CheckoutDto): Operation {
    return this.carts.checkout({ walletId: dto.wallet_id, cartVersion: dto.cart_version });
  }

  /** The line's denomination in the product's minor units. */
  private denominationOf(dto: StarshipLineDto): bigint {
    const product = this.products.get(dto.product_id);
    const denomination = majorToMinorUnits(dto.denomination, product.currency);
    if (denomination === undefined) throw new BusinessValidationError('denomination', 'denomination is out of range');
    return denomination;
  }
}
