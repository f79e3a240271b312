import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ProductType = 'DENOMINATION' | 'UNIT';

/** The global catalogue, seeded by migration (a reference table, not owned by a client). */
@Entity('products')
export class Product {
  @PrimaryColumn('integer') id: number;
  @Column('text') name: string;
  @Column('text') type: ProductType;
  @Column('text') currency: string;
  /** DENOMINATION products: the face values on offer, in minor units. */
  @Column('bigint', { array: true, nullable: true }) denominations: string[] | null;
  /** UNIT products: the price of one unit, in minor units. */
  @Column('bigint', { name: 'unit_price', nullable: true }) unitPrice: string | null;
}
