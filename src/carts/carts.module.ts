import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module';
import { CartsRepository } from './carts.repository';
import { CartsService } from './carts.service';

/** The client portal's cart; its routes are Starship's (src/dialects/starship/). */
@Module({
  imports: [ProductsModule],
  providers: [CartsService, CartsRepository],
  exports: [CartsService],
})
export class CartsModule {}
