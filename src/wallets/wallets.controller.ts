import { Body, Controller, Get, NotFoundException, Param, Patch, Post, Query } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { RequiresIdempotencyKey } from '../idempotency/idempotency.decorators';
import { ApiErrors, ApiIdempotentPost, ApiPage } from '../openapi/api-decorators';
import { DepositResponse, LedgerEntryResponse, WalletResponse } from './dto/wallet.response';
import { PageQuery } from '../common/pagination';
import { ParseId } from '../common/parse-id.pipe';
import { CreateDepositDto } from './dto/create-deposit.dto';
import { CreateWalletDto } from './dto/create-wallet.dto';
import { UpdateWalletDto } from './dto/update-wallet.dto';
import { WalletsService } from './wallets.service';

@ApiTags('wallets')
@Controller('v1/wallets')
export class WalletsController {
  constructor(
    private readonly wallets: WalletsService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a wallet' })
  @ApiIdempotentPost(WalletResponse, { required: false })
  create(@Body() dto: CreateWalletDto) {
    return this.wallets.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'List wallets, newest first' })
  @ApiPage(WalletResponse)
  list(@CurrentClient() client: AuthenticatedClient, @Query() page: PageQuery) {
    return this.wallets.list(client.id, page);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a wallet and its balance' })
  @ApiOkResponse({ type: WalletResponse })
  @ApiErrors(400, 401, 404)
  get(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.wallets.get(client.id, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a wallet’s external_id, metadata or accepts_external_transfers; takes an idempotency key like a POST' })
  @ApiIdempotentPost(WalletResponse, { required: false, status: 200 })
  update(@Param('id', ParseId()) id: string, @Body() dto: UpdateWalletDto) {
    return this.wallets.update(id, dto);
  }

  @Get(':id/transactions')
  @ApiOperation({ summary: 'The wallet’s ledger entries, newest first' })
  @ApiPage(LedgerEntryResponse)
  @ApiErrors(404)
  transactions(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string, @Query() page: PageQuery) {
    return this.wallets.listTransactions(client.id, id, page);
  }

  /** Off in production (404), where money enters only through the operator's credits. */
  @Post(':id/deposits')
  @RequiresIdempotencyKey()
  @ApiOperation({ summary: 'Fund a wallet (sandbox funding, from the FUNDING system account; not in production)' })
  @ApiIdempotentPost(DepositResponse, { required: true })
  deposit(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string, @Body() dto: CreateDepositDto) {
    if (this.config.isProduction) throw new NotFoundException();
    return this.wallets.deposit(id, BigInt(dto.amount), { owner: client.id });
  }
}
