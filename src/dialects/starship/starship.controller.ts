import { Body, Controller, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIdempotentPost } from '../../openapi/api-decorators';
import { OrderResponse } from '../../orders/dto/order.response';
import { PayoutResponse } from '../../payouts/dto/payout.response';
import { AuthenticatedClient, CurrentClient } from '../../clients/authenticated-client';
import { UseResponseDialect } from '../../common/response-dialect';
import { IdempotencyScope, RequiresIdempotencyKey } from '../../idempotency/idempotency.decorators';
import { StarshipAdapter } from './starship.adapter';
import { starshipDialect } from './starship.dialect';
import { StarshipOrderDto, StarshipPayoutDto } from './starship.dto';

/**
 * Starship Rewards' routes, verbatim: X-API-Key + X-API-Secret, a required Idempotency-Key, the
 * guide's error bodies, and the same key scope as the main API's routes (a key names one operation,
 * whichever dialect sent it).
 */
@ApiTags('dialect: Starship')
@Controller('api/v1')
export class StarshipController {
  constructor(private readonly starship: StarshipAdapter) {}

  @Post('orders')
  @UseResponseDialect(starshipDialect)
  @ApiOperation({ summary: 'Starship order: denomination in major units, wallet implicit (docs/dialects.md)' })
  @ApiIdempotentPost(OrderResponse, { required: true })
  @RequiresIdempotencyKey()
  @IdempotencyScope('POST /v1/orders')
  placeOrder(@CurrentClient() client: AuthenticatedClient, @Body() dto: StarshipOrderDto) {
    return this.starship.placeOrder(client.id, dto);
  }

  @Post('payouts')
  @UseResponseDialect(starshipDialect)
  @ApiOperation({ summary: 'Starship payout: amount in major units, wallet implicit' })
  @ApiIdempotentPost(PayoutResponse, { required: true })
  @RequiresIdempotencyKey()
  @IdempotencyScope('POST /v1/payouts')
  createPayout(@Body() dto: StarshipPayoutDto) {
    return this.starship.createPayout(dto);
  }
}
