import { ApiProperty } from '@nestjs/swagger';
import { OrderResponse } from '../../orders/dto/order.response';

export class CartItemResponse {
  @ApiProperty({ format: 'uuid', description: 'Also the id of the order it becomes at checkout' }) id: string;
  @ApiProperty({ type: 'integer', example: 123 }) product_id: number;
  @ApiProperty({ type: 'integer', example: 10000, nullable: true, description: 'Minor units' }) denomination: number | null;
  @ApiProperty({ type: 'integer', example: 5 }) quantity: number;
  @ApiProperty({ type: 'integer', example: 50000, description: 'What the line costs at checkout, minor units (priced when it was added)' }) amount: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class CartResponse {
  @ApiProperty({ example: 'USD', nullable: true, type: String, description: 'The one currency of its lines; null before the first' }) currency: string | null;
  @ApiProperty({ type: 'integer', example: 3, description: 'Moves on every change of the lines; send it as cart_version to check out only this cart' }) version: number;
  @ApiProperty({ type: 'integer', example: 50000, description: 'The lines’ total, minor units' }) amount: number;
  @ApiProperty({ type: [CartItemResponse] }) items: CartItemResponse[];
}

export class CheckoutResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['COMPLETED'] }) status: 'COMPLETED';
  @ApiProperty({ type: 'integer', example: 50000, description: 'What was debited, minor units' }) amount: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ type: [OrderResponse], description: 'One order per line, under the line’s id' }) orders: OrderResponse[];
}
