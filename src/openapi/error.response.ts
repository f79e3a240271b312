import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

/** One field at fault in a VALIDATION_ERROR. */
export class FieldErrorResponse {
  @ApiProperty({ example: 'amount', description: 'The field (or header, or query parameter) at fault' })
  field: string;

  @ApiProperty({ type: [String], example: ['amount must be an integer count of minor units'] })
  errors: string[];
}

export class ErrorBody {
  @ApiProperty({ example: 'INSUFFICIENT_FUNDS', description: 'Stable, UPPER_SNAKE: what clients branch on' })
  code: string;

  @ApiProperty({ example: 'The wallet balance is too low for this amount' })
  message: string;

  @ApiPropertyOptional({
    description:
      'Present on some errors only. VALIDATION_ERROR: the fields at fault. Starship routes: a hint, as the Starship guide words it. ' +
      'NOT_READY (GET /health/ready): the health report.',
    oneOf: [
      { type: 'array', items: { $ref: getSchemaPath(FieldErrorResponse) }, description: 'VALIDATION_ERROR: the fields at fault' },
      { type: 'string', description: 'Starship routes: a hint', example: 'Include a unique Idempotency-Key header (8-256 characters)' },
      { type: 'object', description: 'NOT_READY: the health report of each dependency', additionalProperties: true },
    ],
    example: [{ field: 'amount', errors: ['amount must be an integer count of minor units'] }],
  })
  details?: FieldErrorResponse[] | string | Record<string, unknown>;

  @ApiPropertyOptional({ example: '0f6c1f9e-4f7d-4b53-9a5e-8c2a4d3b1e77', description: 'INTERNAL_ERROR only: quote it when reporting' })
  request_id?: string;
}

/** The error envelope every error answers in (docs/architecture.md, step 6). */
export class ErrorResponse {
  @ApiProperty({ type: ErrorBody })
  error: ErrorBody;
}
