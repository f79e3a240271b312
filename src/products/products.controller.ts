import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiPage } from '../openapi/api-decorators';
import { ProductResponse } from './dto/product.response';
import { ProductsService } from './products.service';

@ApiTags('products')
@Controller('v1/products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  @ApiOperation({ summary: 'The catalogue: gift cards (DENOMINATION) and per-unit items (UNIT)' })
  @ApiPage(ProductResponse)
  list() {
    return this.products.list();
  }
}
