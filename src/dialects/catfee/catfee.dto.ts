import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** `POST /v1/order?quantity=65000&receiver=ADDR&duration=1h&client_order_id=abc123`: all in the query. */
export class CatFeeOrderQuery {
  /** Energy units. */
  @ApiProperty({ example: 65000 })
  @Type(() => Number) @IsInt() @Min(1) @Max(100_000_000)
  quantity: number;

  /** The TRON address that receives the energy (CatFee's docs write the placeholder TRON_ADDRESS). */
  @ApiProperty({ example: 'TRON_ADDRESS' })
  @IsString() @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'receiver must be a TRON address' })
  receiver: string;

  /** How long the energy is delegated: 1h to 720h, or 1d to 30d. */
  @ApiProperty({ example: '1h' })
  @Matches(/^([1-9][0-9]{0,2})([hd])$/, { message: 'duration must look like 1h or 3d' })
  duration: string;

  /** CatFee's idempotency key; read and validated by the idempotency layer. */
  @ApiPropertyOptional({ example: 'abc123' })
  @IsOptional() @IsString()
  client_order_id?: string;
}

/** Hours in a CatFee duration; undefined past 30 days. */
export function durationHours(duration: string): number | undefined {
  const [, count, unit] = /^(\d+)([hd])$/.exec(duration) ?? [];
  const hours = Number(count) * (unit === 'd' ? 24 : 1);
  return hours >= 1 && hours <= 720 ? hours : undefined;
}
