import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsId } from '../../common/validators';

/** Everything is optional: an empty body checks out the whole cart from the default wallet. */
export class CheckoutDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Default: your oldest wallet in the cart’s currency' })
  @IsOptional() @IsId()
  wallet_id?: string;

  @ApiPropertyOptional({ type: 'integer', example: 3, description: 'The cart version you saw (GET /client/api/cart): any other answers 422 CART_CHANGED' })
  @IsOptional() @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  cart_version?: number;
}
