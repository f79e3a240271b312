import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../../clients/authenticated-client';
import { CatFeeSigned } from '../../clients/auth.decorators';
import { ParseId } from '../../common/parse-id.pipe';
import { UseResponseDialect } from '../../common/response-dialect';
import { IdempotencyScope } from '../../idempotency/idempotency.decorators';
import { CatFeeAdapter } from './catfee.adapter';
import { catFeeDialect } from './catfee.dialect';
import { CatFeeOrderQuery } from './catfee.dto';

/**
 * CatFee's energy API, verbatim: everything in the query string, CF-ACCESS-* signatures,
 * `client_order_id` as the optional key (in the main API's order scope), CatFee's envelope for every answer.
 */
@ApiTags('dialect: CatFee')
@ApiHeader({ name: 'CF-ACCESS-KEY', required: true, description: 'Your API key' })
@ApiHeader({ name: 'CF-ACCESS-TIMESTAMP', required: true, description: 'ISO-8601, within 300 s' })
@ApiHeader({ name: 'CF-ACCESS-SIGN', required: true, description: 'base64 HMAC-SHA256(secret, timestamp + method + path without query)' })
@Controller('v1/order')
@CatFeeSigned()
export class CatFeeController {
  constructor(private readonly catFee: CatFeeAdapter) {}

  @Post()
  @UseResponseDialect(catFeeDialect)
  @HttpCode(200)
  @ApiOperation({
    summary: 'CatFee: buy ENERGY, everything in the query string; a duplicate client_order_id returns the order with sub_code SUCCESS',
    description: 'client_order_id is optional, as CatFee documents it: without one every request is a new order, so a retry buys again',
    security: [],
  })
  @IdempotencyScope('POST /v1/orders')
  buyEnergy(@CurrentClient() client: AuthenticatedClient, @Query() query: CatFeeOrderQuery) {
    return this.catFee.buyEnergy(client.id, query);
  }

  @Get(':id')
  @UseResponseDialect(catFeeDialect)
  @ApiOperation({ summary: 'CatFee: read an order back', security: [] })
  getOrder(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.catFee.getOrder(client.id, id);
  }
}
