import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiEndpoint, ApiErrors, ApiIdempotentPost, ApiIdParam, ApiTag } from '../openapi/api-decorators';
import { TransferResponse } from './dto/transfer.response';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { ParseId } from '../common/parse-id.pipe';
import { RequiresIdempotencyKey } from '../idempotency/idempotency.decorators';
import { CreateTransferDto } from './dto/create-transfer.dto';
import { TransfersService } from './transfers.service';

@ApiTag('transfers')
@Controller('v1/transfers')
export class TransfersController {
  constructor(private readonly transfers: TransfersService) {}

  @Post()
  @RequiresIdempotencyKey()
  @ApiEndpoint({
    summary: 'Move money between two wallets of one currency, atomically',
    description:
      'Debits one wallet and credits the other in one transaction, exactly once per key. The destination may be another client’s ' +
      'wallet only if it accepts external transfers; otherwise it is answered exactly as a wallet that does not exist (404).',
  })
  @ApiIdempotentPost(TransferResponse, { required: true, body: CreateTransferDto })
  create(@Body() dto: CreateTransferDto) {
    return this.transfers.transfer(dto);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a transfer you made', description: 'A transfer you made; anyone else’s is 404 NOT_FOUND.' })
  @ApiIdParam('transfer')
  @ApiOkResponse({ type: TransferResponse })
  @ApiErrors(400, 404)
  get(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.transfers.get(client.id, id);
  }
}
