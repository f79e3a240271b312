import { ApiProperty } from '@nestjs/swagger';

export class WalletResponse {
  @ApiProperty({ example: '01a20682-8413-7258-8182-f88979bde993', format: 'uuid' }) id: string;
  @ApiProperty({ example: 'USD', description: 'ISO-4217, or TRX' }) currency: string;
  @ApiProperty({ type: 'integer', example: 10500, description: 'Minor units (10500 = 105.00)' }) balance: number;
  @ApiProperty({ example: 'acct-42', nullable: true, type: String }) external_id: string | null;
  @ApiProperty({ example: { team: 'ops' }, nullable: true, type: Object }) metadata: Record<string, unknown> | null;
  @ApiProperty({ example: false, description: 'Whether other clients may transfer into this wallet' }) accepts_external_transfers: boolean;
  @ApiProperty({ example: '2026-11-23T03:45:46.510Z', format: 'date-time' }) created_at: string;
}

export class DepositResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) wallet_id: string;
  @ApiProperty({ type: 'integer', example: 10500, description: 'Minor units' }) amount: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ type: 'integer', example: 10500, description: 'The wallet balance right after this deposit' }) balance_after: number;
  @ApiProperty({ example: 'bank-transfer-4711', nullable: true, type: String, description: 'The operator’s reference of a credit; null for a sandbox deposit' }) reference: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class LedgerEntryResponse {
  @ApiProperty({ example: '42', description: 'The ledger’s order; a bigint as a string' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) wallet_id: string | null;
  @ApiProperty({ example: 'ORDER', enum: ['DEPOSIT', 'ORDER', 'TRANSFER_IN', 'TRANSFER_OUT', 'PAYOUT', 'PAYOUT_REFUND'] }) type: string;
  @ApiProperty({ type: 'integer', example: -5000, description: 'Signed, minor units' }) amount: number;
  @ApiProperty({ type: 'integer', example: 5500, nullable: true }) balance_after: number | null;
  @ApiProperty({ example: 'ORDER', enum: ['DEPOSIT', 'ORDER', 'TRANSFER', 'PAYOUT'] }) reference_type: string;
  @ApiProperty({ format: 'uuid' }) reference_id: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}
