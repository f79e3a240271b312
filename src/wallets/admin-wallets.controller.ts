import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../clients/auth.decorators';
import { ParseId } from '../common/parse-id.pipe';
import { RequiresIdempotencyKey } from '../idempotency/idempotency.decorators';
import { ApiIdempotentPost } from '../openapi/api-decorators';
import { CreateCreditDto } from './dto/create-credit.dto';
import { DepositResponse } from './dto/wallet.response';
import { WalletsService } from './wallets.service';

/** How money enters in production: the operator credits a client's wallet, idempotently, from FUNDING. */
@ApiTags('admin')
@ApiBearerAuth('admin')
@Controller('v1/admin/wallets')
@AdminOnly()
export class AdminWalletsController {
  constructor(private readonly wallets: WalletsService) {}

  /** Keys are the operator's own scope (OPERATOR): the same key rules as a client's, under one more tenant. */
  @Post(':id/credits')
  @RequiresIdempotencyKey()
  @ApiOperation({ summary: 'Credit a client’s wallet from FUNDING (the operator’s funding, in every environment)', security: [{ admin: [] }] })
  @ApiIdempotentPost(DepositResponse, { required: true })
  credit(@Param('id', ParseId()) id: string, @Body() dto: CreateCreditDto) {
    return this.wallets.deposit(id, BigInt(dto.amount), { reference: dto.reference });
  }
}
