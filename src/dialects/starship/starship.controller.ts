import { Body, Controller, Post } from '@nestjs/common';
import { ApiEndpoint, ApiIdempotentPost, ApiTag } from '../../openapi/api-decorators';
import { OrderResponse } from '../../orders/dto/order.response';
import { PayoutResponse } from '../../payouts/dto/payout.response';
import { AuthenticatedClient, CurrentClient } from '../../clients/authenticated-client';
import { UseResponseDialect } from '../../common/response-dialect';
import { IdempotencyScope, RequiresIdempotencyKey } from '../../idempotency/idempotency.decorators';
import { StarshipAdapter } from './starship.adapter';
import { STARSHIP_RETRY_SHORTLY_STATUS, starshipDialect } from './starship.dialect';
import { StarshipOrderDto, StarshipPayoutDto } from './starship.dto';
import { StarshipErrorResponse } from './starship.response';

/**
 * Starship Rewards' routes, verbatim: X-API-Key + X-API-Secret, a required Idempotency-Key, the
 * guide's error bodies, and the same key scope as the main API's routes (a key names one operation,
 * whichever dialect sent it). The client portal (`/client/api`) inherits these routes.
 */
@ApiTag('dialect: Starship')
@Controller('api/v1')
export class StarshipController {
  constructor(private readonly starship: StarshipAdapter) {}

  @Post('orders')
  @UseResponseDialect(starshipDialect)
  @ApiEndpoint({
    summary: 'Starship order: denomination in major units, wallet implicit',
    description: 'POST /v1/orders in Starship’s words (docs/dialects.md): `denomination` is in major units (100 is USD 100.00) and the wallet, unless named, is your oldest in the product’s currency. Same key scope as POST /v1/orders.',
  })
  @ApiIdempotentPost(OrderResponse, { required: true, body: StarshipOrderDto, errors: StarshipErrorResponse, retryShortlyStatus: STARSHIP_RETRY_SHORTLY_STATUS })
  @RequiresIdempotencyKey()
  @IdempotencyScope('POST /v1/orders')
  placeOrder(@CurrentClient() client: AuthenticatedClient, @Body() dto: StarshipOrderDto) {
    return this.starship.placeOrder(client.id, dto);
  }

  @Post('payouts')
  @UseResponseDialect(starshipDialect)
  @ApiEndpoint({
    summary: 'Starship payout: amount in major units, wallet implicit',
    description: 'POST /v1/payouts in Starship’s words: `amount` is in major units (an integer or a decimal string) and the wallet, unless named, is your oldest in the currency. Same key scope as POST /v1/payouts.',
  })
  @ApiIdempotentPost(PayoutResponse, { required: true, body: StarshipPayoutDto, errors: StarshipErrorResponse, retryShortlyStatus: STARSHIP_RETRY_SHORTLY_STATUS })
  @RequiresIdempotencyKey()
  @IdempotencyScope('POST /v1/payouts')
  createPayout(@Body() dto: StarshipPayoutDto) {
    return this.starship.createPayout(dto);
  }
}
