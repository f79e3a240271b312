import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IsMinorUnits } from '../../common/validators';

/** The operator's credit: money that entered from outside (a bank transfer, say), into a client's wallet. */
export class CreateCreditDto {
  @ApiProperty({ type: 'integer', example: 10500, minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units (10500 = 105.00)' })
  @IsMinorUnits()
  amount: number;

  @ApiProperty({ example: 'bank-transfer-4711', maxLength: 255, description: 'The operator’s own reference, kept on the deposit' })
  @IsString() @Length(1, 255)
  reference: string;
}
