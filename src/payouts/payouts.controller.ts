import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { PageQuery } from '../common/pagination';
import { ApiEndpoint, ApiErrors, ApiIdempotentPost, ApiIdParam, ApiPage, ApiTag } from '../openapi/api-decorators';
import { PayoutResponse } from './dto/payout.response';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { ParseId } from '../common/parse-id.pipe';
import { RequiresIdempotencyKey } from '../idempotency/idempotency.decorators';
import { CreatePayoutDto } from './dto/create-payout.dto';
import { PayoutsService } from './payouts.service';

@ApiTag('payouts')
@Controller('v1/payouts')
export class PayoutsController {
  constructor(private readonly payouts: PayoutsService) {}

  @Post()
  @RequiresIdempotencyKey()
  @ApiEndpoint({
    summary: 'Pay out: debits at once (PENDING)',
    description:
      'Debits the wallet into payout clearing and answers the PENDING payout, exactly once per key. A worker then calls the rail ' +
      'and settles it COMPLETED, or FAILED with the amount refunded once; read it back, or subscribe to payout.completed / payout.failed. ' +
      'In the sandbox an account_number or address starting with FAIL is rejected.',
  })
  @ApiIdempotentPost(PayoutResponse, { required: true, body: CreatePayoutDto })
  create(@Body() dto: CreatePayoutDto) {
    return this.payouts.create({
      walletId: dto.wallet_id,
      amount: BigInt(dto.amount),
      destination: dto.destination,
      metadata: dto.metadata,
    });
  }

  @Get()
  @ApiEndpoint({ summary: 'List payouts, newest first', description: 'Your payouts with their status, newest first, a page at a time.' })
  @ApiPage(PayoutResponse)
  list(@CurrentClient() client: AuthenticatedClient, @Query() page: PageQuery) {
    return this.payouts.list(client.id, page);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a payout and its status', description: 'One of your payouts: PENDING until the worker settles it COMPLETED or FAILED.' })
  @ApiIdParam('payout')
  @ApiOkResponse({ type: PayoutResponse })
  @ApiErrors(400, 404)
  get(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.payouts.get(client.id, id);
  }
}
