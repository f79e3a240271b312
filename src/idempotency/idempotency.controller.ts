import { Controller, Get, Param } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { ApiEndpoint, ApiErrors, ApiPage, ApiTag, IDEMPOTENCY_KEY_EXAMPLE } from '../openapi/api-decorators';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { NotFoundError, ValidationFailedError } from '../common/errors';
import { Page } from '../common/pagination';
import { IdempotencyRepository, RecordSummary } from './idempotency.repository';

const KEY_PATTERN = /^[\x21-\x7e]{1,256}$/;

@ApiTag('idempotency')
@Controller('v1/idempotency-keys')
export class IdempotencyController {
  constructor(private readonly records: IdempotencyRepository) {}

  /** The caller's own records under this key (one per endpoint it was used on). */
  @Get(':key')
  @ApiEndpoint({
    summary: 'Your records under a key, one per endpoint it was used on',
    description: 'What a key did: the endpoint, whether the record is still kept, the status it answered, when it was made and when it expires. Another client’s key is 404.',
  })
  @ApiParam({ name: 'key', description: 'The key as sent, in whichever carrier (1–256 visible ASCII characters)', schema: { type: 'string', example: IDEMPOTENCY_KEY_EXAMPLE } })
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
