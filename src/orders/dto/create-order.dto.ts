import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { IsId, IsMetadata, IsMinorUnits } from '../../common/validators';

export class CreateOrderDto {
  @ApiProperty({ format: 'uuid' })
  @IsId()
  wallet_id: string;

  @ApiProperty({ type: 'integer', example: 123, description: 'See GET /v1/products' })
  @IsInt() @Min(1) @Max(2_147_483_647)
  product_id: number;

  @ApiProperty({ type: 'integer', example: 2, minimum: 1, maximum: 10000 })
  @IsInt() @Min(1) @Max(10_000)
  quantity: number;

  /** Face value in minor units; required by DENOMINATION products, refused by UNIT ones. Null is not absent. */
  @ApiPropertyOptional({ type: 'integer', example: 2500, description: 'Minor units; one of the product’s denominations (DENOMINATION products only)' })
  @ValidateIf((_, value) => value !== undefined) @IsMinorUnits()
  denomination?: number;

  /** Who receives the goods (an e-mail, a phone number, a TRON address...). */
  @ApiPropertyOptional({ example: 'someone@example.com' })
  @IsOptional() @IsString() @Length(1, 255)
  receiver?: string;

  @ApiPropertyOptional({ example: { cart: 7 } })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown>;
}
