import { ApiProperty } from '@nestjs/swagger';

export class ProductResponse {
  @ApiProperty({ type: 'integer', example: 123 }) id: number;
  @ApiProperty({ example: 'Starship Gift Card (USD)' }) name: string;
  @ApiProperty({ enum: ['DENOMINATION', 'UNIT'] }) type: 'DENOMINATION' | 'UNIT';
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: [1000, 2500, 5000, 10000], nullable: true, type: 'integer', isArray: true, description: 'DENOMINATION: face values on offer, minor units' })
  denominations: number[] | null;
  @ApiProperty({ type: 'integer', example: null, nullable: true, description: 'UNIT: price of one unit, minor units' }) unit_price: number | null;
}
