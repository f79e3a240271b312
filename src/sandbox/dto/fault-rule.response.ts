import { ApiProperty } from '@nestjs/swagger';

export class FaultRuleResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'drop-response' }) fault: string;
  @ApiProperty({ example: 'POST /api/v1/orders', nullable: true, type: String }) endpoint: string | null;
  @ApiProperty({ example: 'ord_', nullable: true, type: String }) key_prefix: string | null;
  @ApiProperty({ example: 1, description: 'Uses left; 0 once spent' }) remaining: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}
