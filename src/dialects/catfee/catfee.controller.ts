import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOkResponse } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../../clients/authenticated-client';
import { CatFeeSigned } from '../../clients/auth.decorators';
import { ParseId } from '../../common/parse-id.pipe';
import { UseResponseDialect } from '../../common/response-dialect';
import { IdempotencyScope } from '../../idempotency/idempotency.decorators';
import { ApiEndpoint, ApiErrorsAs, ApiIdParam, ApiTag } from '../../openapi/api-decorators';
import { CatFeeAdapter } from './catfee.adapter';
import { catFeeDialect } from './catfee.dialect';
import { CatFeeOrderQuery } from './catfee.dto';
import { CatFeeErrorResponse, CatFeeOrderResponse } from './catfee.response';

/**
 * CatFee's energy API, verbatim: everything in the query string, CF-ACCESS-* signatures,
 * `client_order_id` as the optional key (in the main API's order scope), CatFee's envelope for every answer.
 */
@ApiTag('dialect: CatFee')
@ApiHeader({ name: 'CF-ACCESS-KEY', required: true, description: 'Your API key', example: 'ak_3f9c2e7d1b5a4c8e9f0a1b2c3d4e5f60' })
@ApiHeader({ name: 'CF-ACCESS-TIMESTAMP', required: true, description: 'ISO-8601, within 300 s', schema: { type: 'string', format: 'date-time' }, example: '2024-01-19T18:41:00.000Z' })
@ApiHeader({
  name: 'CF-ACCESS-SIGN',
  required: true,
  description: 'base64 HMAC-SHA256(secret, timestamp + method + path without query)',
  example: 'Jd2tK3yq0n9mXb1p8c6vR4sT7uW5zA2eF0gH1iL3oQ=',
})
@Controller('v1/order')
@CatFeeSigned()
export class CatFeeController {
  constructor(private readonly catFee: CatFeeAdapter) {}

  @Post()
  @UseResponseDialect(catFeeDialect)
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'CatFee: buy ENERGY, everything in the query string',
    description:
      'Buys ENERGY for `receiver` from your oldest TRX wallet, priced per unit per hour of `duration`. `client_order_id` is the ' +
      'idempotency key, optional as CatFee documents it: without one every request is a new order, so a retry buys again. A duplicate ' +
      'answers the recorded order with sub_code SUCCESS.',
    security: [],
  })
  @ApiOkResponse({ type: CatFeeOrderResponse, description: 'The order, or (sub_code SUCCESS) the one an earlier request with this client_order_id placed' })
  @ApiErrorsAs(CatFeeErrorResponse, 400, 404, 409, 413, 415, 422)
  @IdempotencyScope('POST /v1/orders')
  buyEnergy(@CurrentClient() client: AuthenticatedClient, @Query() query: CatFeeOrderQuery) {
    return this.catFee.buyEnergy(client.id, query);
  }

  @Get(':id')
  @UseResponseDialect(catFeeDialect)
  @ApiEndpoint({ summary: 'CatFee: read an order back', description: 'One of your orders in CatFee’s fields; another client’s is 404.', security: [] })
  @ApiIdParam('order')
  @ApiOkResponse({ type: CatFeeOrderResponse })
  @ApiErrorsAs(CatFeeErrorResponse, 400, 404)
  getOrder(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.catFee.getOrder(client.id, id);
  }
}
