import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiIdempotentPost, ApiPage } from '../openapi/api-decorators';
import { OrderResponse } from './dto/order.response';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { ParseId } from '../common/parse-id.pipe';
import { RequiresIdempotencyKey } from '../idempotency/idempotency.decorators';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQuery } from './dto/list-orders.query';
import { presentOrder } from './orders.presenter';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('v1/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  /** `client_order_id` (CatFee) is validated by the idempotency layer, which also uses it as the key. */
  @Post()
  @RequiresIdempotencyKey()
  @ApiOperation({ summary: 'Place an order: debits the wallet at once' })
  @ApiQuery({ name: 'client_order_id', required: false, description: 'CatFee-style key carrier (1–250 characters), returned on the order' })
  @ApiIdempotentPost(OrderResponse, { required: true })
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
  @ApiOperation({ summary: 'List orders, newest first; ?client_order_id= lists those placed under one reference' })
  @ApiPage(OrderResponse)
  list(@CurrentClient() client: AuthenticatedClient, @Query() query: ListOrdersQuery) {
    return this.orders.list(client.id, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an order' })
  @ApiOkResponse({ type: OrderResponse })
  @ApiErrors(400, 401, 404)
  async get(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return presentOrder(await this.orders.get(client.id, id));
  }
}
