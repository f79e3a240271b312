import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery } from '@nestjs/swagger';
import { ApiEndpoint, ApiErrors, ApiIdempotentPost, ApiIdParam, ApiPage, ApiTag, IDEMPOTENCY_KEY_EXAMPLE } from '../openapi/api-decorators';
import { OrderResponse } from './dto/order.response';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { ParseId } from '../common/parse-id.pipe';
import { RequiresIdempotencyKey } from '../idempotency/idempotency.decorators';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQuery } from './dto/list-orders.query';
import { presentOrder } from './orders.presenter';
import { OrdersService } from './orders.service';

@ApiTag('orders')
@Controller('v1/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  /** `client_order_id` (CatFee) is validated by the idempotency layer, which also uses it as the key. */
  @Post()
  @RequiresIdempotencyKey()
  @ApiEndpoint({
    summary: 'Place an order: debits the wallet at once',
    description:
      'Prices the order (a DENOMINATION product: denomination × quantity; a UNIT product: unit price × quantity), debits the wallet ' +
      'into REVENUE and answers the COMPLETED order, exactly once per key: a retry with the same key gets the same answer and ' +
      'moves no money. Refusals (INSUFFICIENT_FUNDS, CURRENCY_MISMATCH, an unknown wallet or product) are recorded under the key too.',
  })
  @ApiQuery({
    name: 'client_order_id',
    required: false,
    description: 'CatFee-style key carrier (1–250 visible ASCII characters), instead of the Idempotency-Key header; returned on the order',
    schema: { type: 'string', minLength: 1, maxLength: 250, example: IDEMPOTENCY_KEY_EXAMPLE },
  })
  @ApiIdempotentPost(OrderResponse, { required: true, body: CreateOrderDto })
  place(
    @CurrentClient() client: AuthenticatedClient,
    @Body() dto: CreateOrderDto,
    @Query('client_order_id') clientOrderId?: string,
  ) {
    return this.orders.place(client.id, {
      walletId: dto.wallet_id,
      productId: dto.product_id,
      quantity: dto.quantity,
      denomination: dto.denomination === undefined ? undefined : BigInt(dto.denomination),
      receiver: dto.receiver,
      metadata: dto.metadata,
      clientOrderId,
    }).operation;
  }

  @Get()
  @ApiEndpoint({
    summary: 'List orders, newest first',
    description: 'Your orders, newest first, a page at a time. `?client_order_id=` lists those placed under one reference (after its key expires, a reference can name a new order).',
  })
  @ApiPage(OrderResponse)
  list(@CurrentClient() client: AuthenticatedClient, @Query() query: ListOrdersQuery) {
    return this.orders.list(client.id, query);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get an order', description: 'One of your orders; another client’s is 404 NOT_FOUND.' })
  @ApiIdParam('order')
  @ApiOkResponse({ type: OrderResponse })
  @ApiErrors(400, 404)
  async get(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return presentOrder(await this.orders.get(client.id, id));
  }
}
