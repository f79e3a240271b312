import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { IsMetadata } from '../../common/validators';

/** Only the fields named change; null clears `external_id` or `metadata`. */
export class UpdateWalletDto {
  @ApiPropertyOptional({ example: 'acct-42', maxLength: 255, nullable: true, type: String })
  @IsOptional() @IsString() @Length(1, 255)
  external_id?: string | null;

  @ApiPropertyOptional({ example: { team: 'ops' }, nullable: true, type: Object, description: 'A JSON object, at most 4 KiB' })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown> | null;

  @ApiPropertyOptional({ example: true, description: 'Whether other clients may transfer into this wallet' })
  // Left out, it stays as it is; null is no answer to a yes-or-no question (400, not the column's NOT NULL).
  @ValidateIf((_, value) => value !== undefined) @IsBoolean()
  accepts_external_transfers?: boolean;
}
