import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min, registerDecorator } from 'class-validator';
import { faultNamed, SANDBOX_FAULTS_MESSAGE } from '../sandbox-fault';

/** The payout rail's fault: the next payouts it settles are rejected (and refunded). */
export const RAIL_REJECT = 'rail-reject';

function IsFaultName(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isFaultName',
      target: target.constructor,
      propertyName: propertyName.toString(),
      options: { message: `$property must be ${SANDBOX_FAULTS_MESSAGE.replace(' or ', ', ')} or ${RAIL_REJECT}` },
      validator: { validate: (value: unknown) => typeof value === 'string' && (value === RAIL_REJECT || faultNamed(value) !== undefined) },
    });
}

export class CreateFaultRuleDto {
  @ApiProperty({ example: 'drop-response', description: `drop-response, fail-before-commit, delay=MS (at most 30000) or ${RAIL_REJECT}` })
  @IsFaultName()
  fault: string;

  @ApiPropertyOptional({ example: 'POST /api/v1/orders', description: 'Method and route template; also matches the routes sharing its key scope. Absent: any keyed request' })
  @IsOptional() @Matches(/^(POST|PUT|PATCH) \/[\x21-\x7e]{0,200}$/, { message: 'endpoint must be a write method and a route template, such as POST /v1/orders' })
  endpoint?: string;

  @ApiPropertyOptional({ example: 'ord_', description: 'Only requests whose idempotency key starts with this' })
  @IsOptional() @Matches(/^[\x21-\x7e]{1,256}$/, { message: 'key_prefix must be 1–256 visible ASCII characters' })
  key_prefix?: string;

  @ApiProperty({ example: 1, minimum: 1, maximum: 100, description: 'How many matching requests (or, for rail-reject, payouts) get the fault' })
  @IsInt() @Min(1) @Max(100)
  times: number;
}
