import { Controller, Get, Query } from '@nestjs/common';
import { PageQuery } from '../common/pagination';
import { ApiEndpoint, ApiPage, ApiTag } from '../openapi/api-decorators';
import { ProductResponse } from './dto/product.response';
import { ProductsService } from './products.service';

@ApiTag('products')
@Controller('v1/products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  @ApiEndpoint({
    summary: 'The catalogue: gift cards (DENOMINATION) and per-unit items (UNIT)',
    description: 'Every product, the same for all clients, by id, a page at a time. An order for a DENOMINATION product names one of its denominations; a UNIT product costs unit_price × quantity.',
  })
  @ApiPage(ProductResponse)
  list(@Query() page: PageQuery) {
    return this.products.list(page);
  }
}
