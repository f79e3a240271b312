import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
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

const DESTINATION_TYPES = ['bank_account', 'crypto_address'];

/** A payout destination: one of the two shapes above, chosen by `type`, with nothing extra. */
export const IsPayoutDestination = () =>
  applyDecorators(
    IsObject(),
    ValidateBy({
      name: 'isDestinationType',
      validator: {
        validate: (value: unknown) => DESTINATION_TYPES.includes((value as { type?: string } | null)?.type ?? ''),
        defaultMessage: () => `destination.type must be one of ${DESTINATION_TYPES.join(', ')}`,
      },
    }),
    ValidateNested(),
    Type(() => Object, {
      keepDiscriminatorProperty: true,
      discriminator: {
        property: 'type',
        subTypes: [
          { name: 'bank_account', value: BankAccountDestination },
          { name: 'crypto_address', value: CryptoAddressDestination },
        ],
      },
    }),
  );

@ApiExtraModels(BankAccountDestination, CryptoAddressDestination)
export class CreatePayoutDto {
  @ApiProperty({ format: 'uuid' })
  @IsId()
  wallet_id: string;

  @ApiProperty({ example: 2000, description: 'Minor units' })
  @IsMinorUnits()
  amount: number;

  @ApiProperty({ oneOf: [{ $ref: getSchemaPath(BankAccountDestination) }, { $ref: getSchemaPath(CryptoAddressDestination) }] })
  @IsPayoutDestination()
  destination: PayoutDestination;

  @ApiPropertyOptional({ example: { invoice: 'INV-7' } })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown>;
}
