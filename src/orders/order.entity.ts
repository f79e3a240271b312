import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { minorUnitsColumn } from '../common/bigint.transformer';

@Entity('orders')
export class Order {
  @PrimaryColumn('uuid', { name: 'client_id' }) clientId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text', { name: 'client_order_id', nullable: true }) clientOrderId: string | null;
  @Column('text') status: 'COMPLETED';
  @Column('uuid', { name: 'wallet_id' }) walletId: string;
  @Column('integer', { name: 'product_id' }) productId: number;
  @Column('integer') quantity: number;
  @Column('bigint', { nullable: true, transformer: minorUnitsColumn }) denomination: bigint | null;
  @Column('text', { nullable: true }) receiver: string | null;
  @Column('bigint', { transformer: minorUnitsColumn }) amount: bigint;
  @Column('text') currency: string;
  @Column('jsonb', { nullable: true }) metadata: Record<string, unknown> | null;
  /** Rented products only (CatFee energy): how long the resource is delegated. */
  @Column('integer', { name: 'duration_hours', nullable: true }) durationHours: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
