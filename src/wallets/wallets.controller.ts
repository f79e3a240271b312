import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { SandboxOnly } from '../clients/auth.decorators';
import { ApiOkResponse } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { RequiresIdempotencyKey } from '../idempotency/idempotency.decorators';
import { ApiEndpoint, ApiErrors, ApiIdempotentPost, ApiIdParam, ApiPage, ApiTag } from '../openapi/api-decorators';
import { DepositResponse, LedgerEntryResponse, WalletResponse } from './dto/wallet.response';
import { PageQuery } from '../common/pagination';
import { ParseId } from '../common/parse-id.pipe';
import { CreateDepositDto } from './dto/create-deposit.dto';
import { CreateWalletDto } from './dto/create-wallet.dto';
import { UpdateWalletDto } from './dto/update-wallet.dto';
import { WalletsService } from './wallets.service';

@ApiTag('wallets')
@Controller('v1/wallets')
export class WalletsController {
  constructor(private readonly wallets: WalletsService) {}

  @Post()
  @ApiEndpoint({
    summary: 'Create a wallet',
    description: 'A wallet in one currency, with a zero balance. A key is optional: with one, a retry answers the same wallet instead of creating a second.',
  })
  @ApiIdempotentPost(WalletResponse, { required: false, body: CreateWalletDto })
  create(@Body() dto: CreateWalletDto) {
    return this.wallets.create(dto);
  }

  @Get()
  @ApiEndpoint({ summary: 'List wallets, newest first', description: 'Your wallets with their balances, newest first, a page at a time.' })
  @ApiPage(WalletResponse)
  list(@CurrentClient() client: AuthenticatedClient, @Query() page: PageQuery) {
    return this.wallets.list(client.id, page);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a wallet and its balance', description: 'One of your wallets; another client’s is 404 NOT_FOUND.' })
  @ApiIdParam('wallet')
  @ApiOkResponse({ type: WalletResponse })
  @ApiErrors(400, 404)
  get(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.wallets.get(client.id, id);
  }

  @Patch(':id')
  @ApiEndpoint({
    summary: 'Change a wallet’s external_id, metadata or accepts_external_transfers',
    description: 'Changes only the fields named, in one call, and answers the wallet. It takes an idempotency key (optional) like a POST.',
  })
  @ApiIdParam('wallet')
  @ApiIdempotentPost(WalletResponse, { required: false, status: 200, body: UpdateWalletDto })
  update(@Param('id', ParseId()) id: string, @Body() dto: UpdateWalletDto) {
    return this.wallets.update(id, dto);
  }

  @Get(':id/transactions')
  @ApiEndpoint({
    summary: 'The wallet’s ledger entries, newest first',
    description: 'Every entry that moved the wallet’s balance (signed amounts, with the balance after each), newest first, a page at a time.',
  })
  @ApiIdParam('wallet')
  @ApiPage(LedgerEntryResponse)
  @ApiErrors(404)
  transactions(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string, @Query() page: PageQuery) {
    return this.wallets.listTransactions(client.id, id, page);
  }

  /** Off in production (404), where money enters only through the operator's credits. */
  @Post(':id/deposits')
  @SandboxOnly()
  @RequiresIdempotencyKey()
  @ApiEndpoint({
    summary: 'Fund a wallet (sandbox funding; not in production)',
    description: 'Credits the wallet from the FUNDING system account, exactly once per key. Off in production (404), where money enters through the operator’s credits.',
  })
  @ApiIdParam('wallet')
  @ApiIdempotentPost(DepositResponse, { required: true, body: CreateDepositDto })
  deposit(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string, @Body() dto: CreateDepositDto) {
    return this.wallets.deposit(id, BigInt(dto.amount), { owner: client.id });
  }
}
