import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../common/pagination';
import { ApiErrors, ApiIdempotentPost, ApiPage } from '../openapi/api-decorators';
import { PayoutResponse } from './dto/payout.response';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { ParseId } from '../common/parse-id.pipe';
import { RequiresIdempotencyKey } from '../idempotency/idempotency.decorators';
import { CreatePayoutDto } from './dto/create-payout.dto';
import { PayoutsService } from './payouts.service';

@ApiTags('payouts')
@Controller('v1/payouts')
export class PayoutsController {
  constructor(private readonly payouts: PayoutsService) {}

  @Post()
  @RequiresIdempotencyKey()
  @ApiOperation({ summary: 'Pay out: debits at once (PENDING); the worker settles it COMPLETED or FAILED (refunded once)' })
  @ApiIdempotentPost(PayoutResponse, { required: true })
  create(@Body() dto: CreatePayoutDto) {
    return this.payouts.create({
      walletId: dto.wallet_id,
      amount: BigInt(dto.amount),
      destination: dto.destination,
      metadata: dto.metadata,
    });
  }

  @Get()
  @ApiOperation({ summary: 'List payouts, newest first' })
  @ApiPage(PayoutResponse)
  list(@CurrentClient() client: AuthenticatedClient, @Query() page: PageQuery) {
    return this.payouts.list(client.id, page);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a payout and its status' })
  @ApiOkResponse({ type: PayoutResponse })
  @ApiErrors(400, 401, 404)
  get(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.payouts.get(client.id, id);
  }
}
