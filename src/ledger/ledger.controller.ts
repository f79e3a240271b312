import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { AdminOnly } from '../clients/auth.decorators';
import { checkLedger, LedgerCheckReport } from './ledger-check';

@ApiTags('admin')
@ApiBearerAuth('admin')
@Controller('v1/admin/ledger')
@AdminOnly()
export class LedgerController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('check')
  @ApiOperation({ summary: 'Check the books: every balance equals its entries, every currency sums to zero', security: [{ admin: [] }] })
  @ApiOkResponse({ type: LedgerCheckReport })
  check(): Promise<LedgerCheckReport> {
    return checkLedger(this.dataSource);
  }
}
