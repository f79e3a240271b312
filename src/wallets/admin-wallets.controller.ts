import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { AdminOnly } from '../clients/auth.decorators';
import { ParseId } from '../common/parse-id.pipe';
import { RequiresIdempotencyKey } from '../idempotency/idempotency.decorators';
import { ApiEndpoint, ApiIdempotentPost, ApiIdParam, ApiTag } from '../openapi/api-decorators';
import { CreateCreditDto } from './dto/create-credit.dto';
import { DepositResponse } from './dto/wallet.response';
import { WalletsService } from './wallets.service';

/** How money enters in production: the operator credits a client's wallet, idempotently, from FUNDING. */
@ApiTag('admin')
@ApiBearerAuth('admin')
@Controller('v1/admin/wallets')
@AdminOnly()
export class AdminWalletsController {
  constructor(private readonly wallets: WalletsService) {}

  /** Keys are the operator's own scope (OPERATOR): the same key rules as a client's, under one more tenant. */
  @Post(':id/credits')
  @RequiresIdempotencyKey()
  @ApiEndpoint({
    summary: 'Credit a client’s wallet from FUNDING',
    description: 'How money enters in production (and in every environment): the operator credits a wallet, exactly once per key, with its own reference. Keys are the operator’s own scope.',
  })
  @ApiIdParam('wallet')
  @ApiIdempotentPost(DepositResponse, { required: true, body: CreateCreditDto })
  credit(@Param('id', ParseId()) id: string, @Body() dto: CreateCreditDto) {
    return this.wallets.deposit(id, BigInt(dto.amount), { reference: dto.reference });
  }
}
