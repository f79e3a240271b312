import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { AdminOnly } from '../clients/auth.decorators';
import { ApiEndpoint, ApiErrors, ApiTag } from '../openapi/api-decorators';
import { checkLedger, LedgerCheckReport } from './ledger-check';

@ApiTag('admin')
@ApiBearerAuth('admin')
@Controller('v1/admin/ledger')
@AdminOnly()
export class LedgerController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('check')
  @ApiEndpoint({
    summary: 'Check the books',
    description: 'On one snapshot: every wallet’s balance equals the sum of its entries, and per currency all balances and system entries sum to zero. `ok` is false with the mismatches listed otherwise.',
  })
  @ApiOkResponse({ type: LedgerCheckReport })
  @ApiErrors(404)
  check(): Promise<LedgerCheckReport> {
    return checkLedger(this.dataSource);
  }
}
