import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../../clients/authenticated-client';
import { CartsService } from '../../carts/carts.service';
import { CartItemResponse, CartResponse, CheckoutResponse } from '../../carts/dto/cart.response';
import { CheckoutDto } from '../../carts/dto/checkout.dto';
import { ParseId } from '../../common/parse-id.pipe';
import { UseResponseDialect } from '../../common/response-dialect';
import { RequiresIdempotencyKey } from '../../idempotency/idempotency.decorators';
import { ApiEndpoint, ApiErrorsAs, ApiIdempotentPost, ApiIdParam, ApiTag } from '../../openapi/api-decorators';
import { StarshipAdapter } from './starship.adapter';
import { StarshipController } from './starship.controller';
import { STARSHIP_RETRY_SHORTLY_STATUS, starshipDialect } from './starship.dialect';
import { StarshipLineDto } from './starship.dto';
import { StarshipErrorResponse } from './starship.response';

/**
 * Starship's client portal: the orders and payouts of `/api/v1`, inherited route for route (the same
 * bodies, auth and key scope), and the cart, whose checkout orders every line under one key.
 */
@ApiTag('dialect: Starship')
@Controller('client/api')
export class StarshipPortalController extends StarshipController {
  constructor(
    private readonly adapter: StarshipAdapter,
    private readonly carts: CartsService,
  ) {
    super(adapter);
  }

  @Post('cart/items')
  @UseResponseDialect(starshipDialect)
  @ApiEndpoint({
    summary: 'Add a line to the cart',
    description: 'A product, a denomination in major units and a quantity, priced now. A cart holds one currency: a line in another is refused. A key is optional.',
  })
  @ApiIdempotentPost(CartItemResponse, { required: false, body: StarshipLineDto, errors: StarshipErrorResponse, retryShortlyStatus: STARSHIP_RETRY_SHORTLY_STATUS })
  addToCart(@Body() dto: StarshipLineDto) {
    return this.adapter.addToCart(dto);
  }

  @Get('cart')
  @UseResponseDialect(starshipDialect)
  @ApiEndpoint({ summary: 'The cart: its lines, total and version', description: 'Your cart as it stands; send its version as cart_version to check out exactly this cart.' })
  @ApiOkResponse({ type: CartResponse })
  @ApiErrorsAs(StarshipErrorResponse)
  getCart(@CurrentClient() client: AuthenticatedClient) {
    return this.carts.get(client.id);
  }

  @Delete('cart/items/:id')
  @UseResponseDialect(starshipDialect)
  @HttpCode(204)
  @ApiEndpoint({ summary: 'Remove a line from the cart', description: 'Removes one line of your cart; a line that is not in it is 404.' })
  @ApiIdParam('cart line')
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrorsAs(StarshipErrorResponse, 400, 403, 404)
  removeFromCart(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.carts.removeItem(client.id, id);
  }

  @Post('cart/checkout')
  @UseResponseDialect(starshipDialect)
  @ApiEndpoint({
    summary: 'Check out: order every line of the cart at once',
    description: 'Orders every line in one transaction under one key, all or nothing; the cart empties on success. An empty cart is 422 CART_EMPTY, a cart changed since cart_version 422 CART_CHANGED.',
  })
  @ApiIdempotentPost(CheckoutResponse, { required: true, body: CheckoutDto, errors: StarshipErrorResponse, retryShortlyStatus: STARSHIP_RETRY_SHORTLY_STATUS })
  @RequiresIdempotencyKey()
  checkOut(@Body() dto: CheckoutDto) {
    return this.adapter.checkOut(dto);
  }
}
