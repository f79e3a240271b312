import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiIdempotentPost } from '../openapi/api-decorators';
import { TransferResponse } from './dto/transfer.response';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { ParseId } from '../common/parse-id.pipe';
import { RequiresIdempotencyKey } from '../idempotency/idempotency.decorators';
import { CreateTransferDto } from './dto/create-transfer.dto';
import { TransfersService } from './transfers.service';

@ApiTags('transfers')
@Controller('v1/transfers')
export class TransfersController {
  constructor(private readonly transfers: TransfersService) {}

  @Post()
  @RequiresIdempotencyKey()
  @ApiOperation({ summary: 'Move money between two wallets of one currency, atomically' })
  @ApiIdempotentPost(TransferResponse, { required: true })
  create(@Body() dto: CreateTransferDto) {
    return this.transfers.transfer(dto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a transfer you made' })
  @ApiOkResponse({ type: TransferResponse })
  @ApiErrors(400, 401, 404)
  get(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.transfers.get(client.id, id);
  }
}
