import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { plainToInstance, Transform } from 'class-transformer';
import { Equals, IsObject, IsOptional, IsString, Length, Matches, ValidateBy, ValidateNested } from 'class-validator';
import { IsId, IsMetadata, IsMinorUnits } from '../../common/validators';

export class BankAccountDestination {
  @ApiProperty({ enum: ['bank_account'] })
  @Equals('bank_account')
  type: 'bank_account';

  @ApiProperty({ example: 'DE89370400440532013000', description: 'Sandbox: one starting with FAIL is rejected by the rail' })
  @IsString() @Length(4, 64) @Matches(/^[A-Za-z0-9-]+$/, { message: 'account_number may hold letters, digits and dashes' })
  account_number: string;
}

export class CryptoAddressDestination {
  @ApiProperty({ enum: ['crypto_address'] })
  @Equals('crypto_address')
  type: 'crypto_address';

  @ApiProperty({ example: 'tron' })
  @IsString() @Length(2, 32) @Matches(/^[A-Za-z0-9_-]+$/, { message: 'network may hold letters, digits, _ and -' })
  network: string;

  @ApiProperty({ example: 'TXYZabc123def456ghi789', description: 'Sandbox: one starting with FAIL is rejected by the rail' })
  @IsString() @Length(8, 128) @Matches(/^[A-Za-z0-9]+$/, { message: 'address may hold letters and digits' })
  address: string;
}

export type PayoutDestination = BankAccountDestination | CryptoAddressDestination;

const DESTINATION_CLASSES: Record<string, new () => PayoutDestination> = {
  bank_account: BankAccountDestination,
  crypto_address: CryptoAddressDestination,
};
const DESTINATION_TYPES = Object.keys(DESTINATION_CLASSES);

/**
 * Turns a plain destination object into its class, chosen by `type`, so that ValidateNested checks
 * it; anything else is left as it came, for IsObject and the type check to refuse. (class-transformer's
 * own `discriminator` option reads `type` off every element of an array, and threw a 500 on `[null]`.)
 */
function toDestinationClass({ value }: { value: unknown }): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { type } = value as { type?: unknown };
  const target = typeof type === 'string' && Object.hasOwn(DESTINATION_CLASSES, type) ? DESTINATION_CLASSES[type] : undefined;
  return target ? plainToInstance(target, value) : value;
}

/** A payout destination: one of the two shapes above, chosen by `type`, with nothing extra. */
export const IsPayoutDestination = () =>
  applyDecorators(
    IsObject(),
    ValidateBy({
      name: 'isDestinationType',
      validator: {
        validate: (value: unknown) => value instanceof BankAccountDestination || value instanceof CryptoAddressDestination,
        defaultMessage: () => `destination.type must be one of ${DESTINATION_TYPES.join(', ')}`,
      },
    }),
    ValidateNested(),
    Transform(toDestinationClass),
  );

@ApiExtraModels(BankAccountDestination, CryptoAddressDestination)
export class CreatePayoutDto {
  @ApiProperty({ format: 'uuid' })
  @IsId()
  wallet_id: string;

  @ApiProperty({ type: 'integer', example: 2000, description: 'Minor units' })
  @IsMinorUnits()
  amount: number;

  @ApiProperty({ oneOf: [{ $ref: getSchemaPath(BankAccountDestination) }, { $ref: getSchemaPath(CryptoAddressDestination) }] })
  @IsPayoutDestination()
  destination: PayoutDestination;

  @ApiPropertyOptional({ example: { invoice: 'INV-7' } })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown>;
}
