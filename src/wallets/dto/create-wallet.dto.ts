import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { IsCurrency, IsMetadata } from '../../common/validators';

export class CreateWalletDto {
  @ApiProperty({ example: 'USD', description: 'ISO-4217 code, or TRX' })
  @IsCurrency()
  currency: string;

  @ApiPropertyOptional({ example: 'acct-42', maxLength: 255, description: 'Your own reference; not unique' })
  @IsOptional() @IsString() @Length(1, 255)
  external_id?: string;

  @ApiPropertyOptional({ example: { team: 'ops' }, description: 'A JSON object, at most 4 KiB' })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ example: false, default: false, description: 'Whether other clients may transfer into this wallet; until then it does not exist for them' })
  @IsOptional() @IsBoolean()
  accepts_external_transfers?: boolean;
}
