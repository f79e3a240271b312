import { ApiProperty } from '@nestjs/swagger';
import { IsMinorUnits } from '../../common/validators';

export class CreateDepositDto {
  @ApiProperty({ type: 'integer', example: 10500, minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units (10500 = 105.00)' })
  @IsMinorUnits()
  amount: number;
}
