import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { IsId, IsMinorUnits } from '../../common/validators';

export class CreateTransferDto {
  @ApiProperty({ format: 'uuid', description: 'One of your wallets' })
  @IsId()
  from_wallet_id: string;

  @ApiProperty({ format: 'uuid', description: 'Any wallet of the same currency, yours or another client’s' })
  @IsId()
  to_wallet_id: string;

  @ApiProperty({ type: 'integer', example: 1500, description: 'Minor units' })
  @IsMinorUnits()
  amount: number;

  @ApiPropertyOptional({ example: 'rent share', maxLength: 500 })
  @IsOptional() @IsString() @Length(1, 500)
  description?: string;
}
