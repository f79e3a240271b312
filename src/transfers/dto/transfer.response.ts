import { ApiProperty } from '@nestjs/swagger';

export class TransferResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['COMPLETED'] }) status: 'COMPLETED';
  @ApiProperty({ format: 'uuid' }) from_wallet_id: string;
  @ApiProperty({ format: 'uuid' }) to_wallet_id: string;
  @ApiProperty({ type: 'integer', example: 1500, description: 'Minor units' }) amount: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: 'rent share', nullable: true, type: String }) description: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}
