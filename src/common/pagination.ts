import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ValidationFailedError } from './errors';

export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', default: 20, minimum: 1, maximum: 100, example: 20 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page', maxLength: 200, example: 'MDE5MzZkMmUtN2M0YS03YjVlLTlmM2EtMmMxZDRlNWY2YTdi' })
  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

const BIGINT_MAX = 9223372036854775807n;

/** A sort key that is a bigint identity id (ledger entries, webhook deliveries): one PostgreSQL's bigint can hold. */
export const isIdentityKey = (key: string) => /^[1-9][0-9]{0,18}$/.test(key) && BigInt(key) <= BIGINT_MAX;

/** Cursors are opaque to clients: base64url of the last row's sort key. */
export function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

/** Returns the sort key a cursor names, or undefined for the first page; refuses a forged cursor. */
export function decodeCursor(cursor: string | undefined, isValidKey: (key: string) => boolean): string | undefined {
  if (cursor === undefined) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isValidKey(key)) {
    throw new ValidationFailedError([{ field: 'cursor', errors: ['cursor is not valid'] }]);
  }
  return key;
}

/** `rows` were fetched with `limit + 1`: the extra row only tells that another page exists. */
export function toPage<R, T>(rows: R[], limit: number, sortKeyOf: (row: R) => string, present: (row: R) => T): Page<T> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map(present),
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor(sortKeyOf(last)) : null,
  };
}
