import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPage } from '../openapi/api-decorators';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { NotFoundError, ValidationFailedError } from '../common/errors';
import { Page } from '../common/pagination';
import { IdempotencyRepository, RecordSummary } from './idempotency.repository';

const KEY_PATTERN = /^[\x21-\x7e]{1,256}$/;

@ApiTags('idempotency')
@Controller('v1/idempotency-keys')
export class IdempotencyController {
  constructor(private readonly records: IdempotencyRepository) {}

  /** The caller's own records under this key (one per endpoint it was used on). */
  @Get(':key')
  @ApiOperation({ summary: 'Your records under a key, one per endpoint it was used on' })
  @ApiPage(RecordSummary)
  @ApiErrors(404)
  async inspect(@CurrentClient() client: AuthenticatedClient, @Param('key') key: string): Promise<Page<RecordSummary>> {
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationFailedError([{ field: 'key', errors: ['key must be 1-256 visible ASCII characters'] }]);
    }
    const records = await this.records.findSummaries(client.id, key);
    if (records.length === 0) throw new NotFoundError('Idempotency key');
    return { data: records, next_cursor: null };
  }
}
