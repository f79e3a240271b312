import { ApiProperty } from '@nestjs/swagger';

export class OrderResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'cart-1001', nullable: true, type: String, description: 'The CatFee-style reference, when one was given' }) client_order_id: string | null;
  @ApiProperty({ enum: ['COMPLETED'] }) status: 'COMPLETED';
  @ApiProperty({ format: 'uuid' }) wallet_id: string;
  @ApiProperty({ type: 'integer', example: 123 }) product_id: number;
  @ApiProperty({ type: 'integer', example: 2 }) quantity: number;
  @ApiProperty({ type: 'integer', example: 2500, nullable: true, description: 'Minor units' }) denomination: number | null;
  @ApiProperty({ example: 'someone@example.com', nullable: true, type: String }) receiver: string | null;
  @ApiProperty({ type: 'integer', example: 5000, description: 'What was debited, minor units' }) amount: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ nullable: true, type: Object }) metadata: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}
