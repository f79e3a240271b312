import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { BankAccountDestination, CryptoAddressDestination, PayoutDestination } from './create-payout.dto';

@ApiExtraModels(BankAccountDestination, CryptoAddressDestination)
export class PayoutResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['PENDING', 'COMPLETED', 'FAILED'], description: 'PENDING until the worker settles it' }) status: 'PENDING' | 'COMPLETED' | 'FAILED';
  @ApiProperty({ format: 'uuid' }) wallet_id: string;
  @ApiProperty({ type: 'integer', example: 2000, description: 'Minor units' }) amount: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ oneOf: [{ $ref: getSchemaPath(BankAccountDestination) }, { $ref: getSchemaPath(CryptoAddressDestination) }] })
  destination: PayoutDestination;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'FAILED only' }) failure_reason: string | null;
  @ApiProperty({ nullable: true, type: Object }) metadata: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}
