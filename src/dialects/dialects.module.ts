import { Module } from '@nestjs/common';
import { CartsModule } from '../carts/carts.module';
import { OrdersModule } from '../orders/orders.module';
import { PayoutsModule } from '../payouts/payouts.module';
import { ProductsModule } from '../products/products.module';
import { CatFeeAdapter } from './catfee/catfee.adapter';
import { CatFeeController } from './catfee/catfee.controller';
import { StarshipAdapter } from './starship/starship.adapter';
import { StarshipController } from './starship/starship.controller';
import { StarshipPortalController } from './starship/starship-portal.controller';

/** The seed APIs' routes (docs/dialects.md): adapters over the same services and the same key space. */
@Module({
  imports: [OrdersModule, PayoutsModule, ProductsModule, CartsModule],
  controllers: [StarshipController, StarshipPortalController, CatFeeController],
  providers: [StarshipAdapter, CatFeeAdapter],
})
export class DialectsModule {}
