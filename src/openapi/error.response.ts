import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class ErrorBody {
  @ApiProperty({ example: 'INSUFFICIENT_FUNDS', description: 'Stable, UPPER_SNAKE: what clients branch on' })
  code: string;

  @ApiProperty({ example: 'The wallet balance is too low for this amount' })
  message: string;

  @ApiPropertyOptional({ example: [{ field: 'amount', errors: ['amount must be an integer count of minor units'] }], description: 'VALIDATION_ERROR: the fields at fault' })
  details?: unknown;

  @ApiPropertyOptional({ example: '0f6c1f9e-4f7d-4b53-9a5e-8c2a4d3b1e77', description: 'INTERNAL_ERROR only: quote it when reporting' })
  request_id?: string;
}

/** The error envelope every error answers in (docs/architecture.md, step 6). */
export class ErrorResponse {
  @ApiProperty({ type: ErrorBody })
  error: ErrorBody;
}
