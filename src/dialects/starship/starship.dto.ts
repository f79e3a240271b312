import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min, ValidateBy } from 'class-validator';
import { IsCurrency, IsId, IsMetadata } from '../../common/validators';
import { IsPayoutDestination, PayoutDestination } from '../../payouts/dto/create-payout.dto';

/** Starship's order line: `{"product_id": 123, "denomination": 100, "quantity": 5}`, denomination in major units; a cart line's body. */
export class StarshipLineDto {
  @ApiProperty({ type: 'integer', example: 123 })
  @IsInt() @Min(1) @Max(2_147_483_647)
  product_id: number;

  /** Major units: 100 is USD 100.00. */
  @ApiProperty({ type: 'integer', example: 100, description: 'Major units: 100 is USD 100.00' })
  @IsInt() @Min(1) @Max(1_000_000_000)
  denomination: number;

  @ApiProperty({ type: 'integer', example: 5 })
  @IsInt() @Min(1) @Max(10_000)
  quantity: number;
}

/** Starship's order body: a line, and optionally the wallet, the receiver and metadata. */
export class StarshipOrderDto extends StarshipLineDto {
  /** Optional: by default the client's oldest wallet in the product's currency. */
  @ApiPropertyOptional({ format: 'uuid', description: 'Default: your oldest wallet in the product’s currency' })
  @IsOptional() @IsId()
  wallet_id?: string;

  @ApiPropertyOptional({ example: 'someone@example.com' })
  @IsOptional() @IsString() @Length(1, 255)
  receiver?: string;

  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown>;
}

/** A Starship payout: the amount in major units, as an integer or a decimal string ("10.50"). */
export class StarshipPayoutDto {
  @ApiProperty({ example: '10.50', oneOf: [{ type: 'integer' }, { type: 'string' }], description: 'Major units' })
  @ValidateBy({
    name: 'isMajorAmount',
    validator: {
      validate: (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) || (typeof value === 'string' && /^\d{1,16}(\.\d{1,6})?$/.test(value)),
      defaultMessage: () => 'amount must be a positive integer or a decimal string in major units, e.g. 100 or "10.50"',
    },
  })
  amount: number | string;

  @ApiProperty({ example: 'USD' })
  @IsCurrency()
  currency: string;

  @IsPayoutDestination()
  destination: PayoutDestination;

  @ApiPropertyOptional({ format: 'uuid', description: 'Default: your oldest wallet in this currency' })
  @IsOptional() @IsId()
  wallet_id?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown>;
}
