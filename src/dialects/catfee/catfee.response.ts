import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const HASH_EXAMPLE = '9f2c4b0e8d6a4f1e3b5c7d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c';

/** An order in CatFee's fields, in the article's order: timestamps in unix seconds, amounts in sun; the chain values are simulated by the sandbox. */
export class CatFeeOrder {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'abc123', nullable: true, type: String }) client_order_id: string | null;
  @ApiProperty({ type: 'integer', example: 1705689660 }) pay_timestamp: number;
  @ApiProperty({ example: 'TRON_ADDRESS', nullable: true, type: String }) receiver: string | null;
  @ApiProperty({ example: HASH_EXAMPLE }) delegate_hash: string;
  @ApiProperty({ type: 'integer', example: 1705689660 }) delegate_timestamp: number;
  @ApiProperty({ example: HASH_EXAMPLE }) reclaim_hash: string;
  @ApiProperty({ type: 'integer', example: 1705693260 }) reclaim_timestamp: number;
  @ApiProperty({ type: 'integer', example: 10_530_000, description: 'Paid, in sun (10^-6 TRX)' }) pay_amount_sun: number;
  @ApiProperty({ type: 'integer', example: 10_530_000, description: 'The part of the payment that went to the energy, in sun' }) activate_amount_sun: number;
  @ApiProperty({ type: 'integer', example: 65000, description: 'Energy units' }) quantity: number;
  @ApiProperty({ type: 'integer', example: 10_000_000, description: 'TRX staked for the energy, in sun' }) staked_sun: number;
  @ApiProperty({ type: 'integer', example: 1, description: 'Hours' }) duration: number;
  @ApiProperty({ type: 'integer', example: 1705693260 }) expired_timestamp: number;
  @ApiProperty({ type: 'integer', example: 65000 }) balance: number;
  @ApiProperty({ enum: ['ENERGY'] }) resource_type: string;
  @ApiProperty({ enum: ['TRANSFER'] }) billing_type: string;
  @ApiProperty({ enum: ['PAYMENT_SUCCESS'] }) status: string;
  @ApiProperty({ enum: ['DEACTIVATE'] }) activate_status: string;
  @ApiProperty({ enum: ['UNCONFIRMED'] }) confirm_status: string;
}

/** CatFee's success envelope; a duplicate client_order_id adds sub_code and sub_msg to the recorded order. */
export class CatFeeOrderResponse {
  @ApiProperty({ type: 'integer', enum: [0], description: '0 on success' }) code: number;
  @ApiPropertyOptional({ enum: ['SUCCESS'], description: 'Only on a duplicate client_order_id' }) sub_code?: string;
  @ApiPropertyOptional({ example: 'Duplicate order request, returning existing order', description: 'Only on a duplicate client_order_id' }) sub_msg?: string;
  @ApiProperty({ type: CatFeeOrder }) data: CatFeeOrder;
}

/** CatFee's error envelope. */
export class CatFeeErrorResponse {
  @ApiProperty({ example: 422, type: 'integer', description: 'The HTTP status' }) code: number;
  @ApiProperty({ example: 'INSUFFICIENT_FUNDS', description: 'Ledgerline’s error code' }) sub_code: string;
  @ApiProperty({ example: 'The wallet balance is too low for this amount' }) msg: string;
  @ApiPropertyOptional({ example: '0f6c1f9e-4f7d-4b53-9a5e-8c2a4d3b1e77', description: 'INTERNAL_ERROR only: quote it when reporting' }) request_id?: string;
}
