import { ApiProperty } from '@nestjs/swagger';

export class ProductResponse {
  @ApiProperty({ example: 123 }) id: number;
  @ApiProperty({ example: 'Starship Gift Card (USD)' }) name: string;
  @ApiProperty({ enum: ['DENOMINATION', 'UNIT'] }) type: 'DENOMINATION' | 'UNIT';
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: [1000, 2500, 5000, 10000], nullable: true, type: [Number], description: 'DENOMINATION: face values on offer, minor units' })
  denominations: number[] | null;
  @ApiProperty({ example: null, nullable: true, type: Number, description: 'UNIT: price of one unit, minor units' }) unit_price: number | null;
}
