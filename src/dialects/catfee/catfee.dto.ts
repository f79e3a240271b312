import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** `POST /v1/order?quantity=65000&receiver=ADDR&duration=1h&client_order_id=abc123`: all in the query. */
export class CatFeeOrderQuery {
  /** Energy units. */
  @ApiProperty({ example: 65000, type: 'integer', minimum: 1, maximum: 100_000_000, description: 'Energy units' })
  @Type(() => Number) @IsInt() @Min(1) @Max(100_000_000)
  quantity: number;

  /** The TRON address that receives the energy (CatFee's docs write the placeholder TRON_ADDRESS). */
  @ApiProperty({ example: 'TRON_ADDRESS', pattern: '^[A-Za-z0-9_]{1,64}$', description: 'The TRON address that receives the energy' })
  @IsString() @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'receiver must be a TRON address' })
  receiver: string;

  /** How long the energy is delegated: 1h to 720h, or 1d to 30d. */
  @ApiProperty({ example: '1h', pattern: '^[1-9][0-9]{0,2}[hd]$', description: '1h to 720h, or 1d to 30d' })
  @Matches(/^([1-9][0-9]{0,2})([hd])$/, { message: 'duration must look like 1h or 3d' })
  duration: string;

  /** CatFee's idempotency key; read and validated by the idempotency layer. */
  @ApiPropertyOptional({ example: 'abc123', minLength: 1, maxLength: 250, description: 'The idempotency key (1–250 visible ASCII characters); optional: without it each request is a new order' })
  @IsOptional() @IsString()
  client_order_id?: string;
}

/** Hours in a CatFee duration; undefined past 30 days. */
export function durationHours(duration: string): number | undefined {
  const [, count, unit] = /^(\d+)([hd])$/.exec(duration) ?? [];
  const hours = Number(count) * (unit === 'd' ? 24 : 1);
  return hours >= 1 && hours <= 720 ? hours : undefined;
}
