import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/errors';
import { isSupportedCurrency, minorUnitsToJson, parseMinorUnits } from '../common/money';
import { decodeCursor, isIdentityKey, Page, PageQuery, toPage } from '../common/pagination';
import { ProductResponse } from './dto/product.response';
import { Product, ProductType } from './product.entity';

export interface CatalogueItem {
  id: number;
  name: string;
  type: ProductType;
  currency: string;
  denominations: bigint[] | null;
  unitPrice: bigint | null;
}

/**
 * The catalogue changes only with a migration, so it is read once, at boot, and served from memory:
 * an order costs no product query. Reading it lazily inside a request would take a second pooled
 * connection while the request's transaction holds one, and deadlock once the pool is exhausted.
 */
@Injectable()
export class ProductsService implements OnApplicationBootstrap {
  private catalogue = new Map<number, CatalogueItem>();

  constructor(private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const rows = await this.dataSource.getRepository(Product).find({ order: { id: 'ASC' } });
    this.catalogue = new Map(rows.map((row) => [row.id, toCatalogueItem(row)]));
  }

  /** By id, a page at a time, as every list is (a few rows today, but the catalogue is the operator's to grow). */
  list({ limit, cursor }: PageQuery): Page<ProductResponse> {
    const after = decodeCursor(cursor, isIdentityKey);
    const rows = [...this.catalogue.values()].filter((item) => after === undefined || item.id > Number(after)).slice(0, limit + 1);
    return toPage(rows, limit, (item) => String(item.id), presentProduct);
  }

  /** Throws NOT_FOUND for an unknown product. */
  get(productId: number): CatalogueItem {
    const product = this.catalogue.get(productId);
    if (!product) throw new NotFoundError('Product');
    return product;
  }
}

function toCatalogueItem(row: Product): CatalogueItem {
  // Its minor unit prices and names every denomination: a currency the service does not know stops the boot, not an order.
  if (!isSupportedCurrency(row.currency)) throw new Error(`Product ${row.id} is priced in ${row.currency}, which is not a supported currency`);
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    currency: row.currency,
    denominations: row.denominations?.map(parseMinorUnits) ?? null,
    unitPrice: row.unitPrice === null ? null : parseMinorUnits(row.unitPrice),
  };
}

function presentProduct(product: CatalogueItem): ProductResponse {
  return {
    id: product.id,
    name: product.name,
    type: product.type,
    currency: product.currency,
    denominations: product.denominations?.map(minorUnitsToJson) ?? null,
    unit_price: product.unitPrice === null ? null : minorUnitsToJson(product.unitPrice),
  };
}
