import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../../clients/authenticated-client';
import { CartsService } from '../../carts/carts.service';
import { CartItemResponse, CartResponse, CheckoutResponse } from '../../carts/dto/cart.response';
import { CheckoutDto } from '../../carts/dto/checkout.dto';
import { ParseId } from '../../common/parse-id.pipe';
import { UseResponseDialect } from '../../common/response-dialect';
import { IdempotencyScope, RequiresIdempotencyKey } from '../../idempotency/idempotency.decorators';
import { ApiErrors, ApiIdempotentPost } from '../../openapi/api-decorators';
import { OrderResponse } from '../../orders/dto/order.response';
import { PayoutResponse } from '../../payouts/dto/payout.response';
import { StarshipAdapter } from './starship.adapter';
import { starshipDialect } from './starship.dialect';
import { StarshipLineDto, StarshipOrderDto, StarshipPayoutDto } from './starship.dto';

/**
 * Starship's client portal: the same orders and payouts as `/api/v1` (the same bodies, auth and key
 * scope), and the cart, whose checkout orders every line under one key.
 */
@ApiTags('dialect: Starship')
@Controller('client/api')
export class StarshipPortalController {
  constructor(
    private readonly starship: StarshipAdapter,
    private readonly carts: CartsService,
  ) {}

  @Post('orders')
  @UseResponseDialect(starshipDialect)
  @ApiOperation({ summary: 'Starship client portal order: as POST /api/v1/orders' })
  @ApiIdempotentPost(OrderResponse, { required: true })
  @RequiresIdempotencyKey()
  @IdempotencyScope('POST /v1/orders')
  placeOrder(@CurrentClient() client: AuthenticatedClient, @Body() dto: StarshipOrderDto) {
    return this.starship.placeOrder(client.id, dto);
  }

  @Post('payouts')
  @UseResponseDialect(starshipDialect)
  @ApiOperation({ summary: 'Starship client portal payout: as POST /api/v1/payouts' })
  @ApiIdempotentPost(PayoutResponse, { required: true })
  @RequiresIdempotencyKey()
  @IdempotencyScope('POST /v1/payouts')
  createPayout(@Body() dto: StarshipPayoutDto) {
    return this.starship.createPayout(dto);
  }

  @Post('cart/items')
  @UseResponseDialect(starshipDialect)
  @ApiOperation({ summary: 'Add a line to the cart (denomination in major units), priced now; a cart holds one currency' })
  @ApiIdempotentPost(CartItemResponse, { required: false })
  addToCart(@Body() dto: StarshipLineDto) {
    return this.starship.addToCart(dto);
  }

  @Get('cart')
  @UseResponseDialect(starshipDialect)
  @ApiOperation({ summary: 'The cart: its lines, total and version' })
  @ApiOkResponse({ type: CartResponse })
  @ApiErrors(401)
  getCart(@CurrentClient() client: AuthenticatedClient) {
    return this.carts.get(client.id);
  }

  @Delete('cart/items/:id')
  @UseResponseDialect(starshipDialect)
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a line from the cart' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 404)
  removeFromCart(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.carts.removeItem(client.id, id);
  }

  @Post('cart/checkout')
  @UseResponseDialect(starshipDialect)
  @ApiOperation({ summary: 'Order every line of the cart in one transaction under one key, all or nothing; the cart empties on success' })
  @ApiIdempotentPost(CheckoutResponse, { required: true })
  @RequiresIdempotencyKey()
  checkOut(@Body() dto: CheckoutDto) {
    return this.starship.checkOut(dto);
  }
}
