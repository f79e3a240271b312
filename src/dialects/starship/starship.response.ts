import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ErrorBody } from '../../openapi/error.response';

/**
 * The Starship guide's error bodies: the envelope with its message repeated at the top (the guide's
 * client reads `message`), or, for a reused key, the guide's flat body.
 */
export class StarshipErrorResponse {
  @ApiProperty({
    oneOf: [{ $ref: getSchemaPath(ErrorBody) }, { type: 'string', enum: ['IdempotencyKeyReused'], description: 'A reused key (422): the guide’s error name' }],
  })
  error: ErrorBody | 'IdempotencyKeyReused';

  @ApiPropertyOptional({ example: 'E_IDEMPOTENCY_KEY_REUSED', description: 'A reused key (422) only' })
  code?: string;

  @ApiProperty({ example: 'Idempotency-Key header is required for this operation', description: 'The error’s message, at the top as the guide reads it' })
  message: string;
}
