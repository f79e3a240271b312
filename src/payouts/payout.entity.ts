import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { minorUnitsColumn } from '../common/bigint.transformer';
import type { PayoutDestination } from './dto/create-payout.dto';

export type PayoutStatus = 'PENDING' | 'COMPLETED' | 'FAILED';

@Entity('payouts')
export class Payout {
  @PrimaryColumn('uuid', { name: 'client_id' }) clientId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') status: PayoutStatus;
  @Column('uuid', { name: 'wallet_id' }) walletId: string;
  @Column('bigint', { transformer: minorUnitsColumn }) amount: bigint;
  @Column('text') currency: string;
  @Column('jsonb') destination: PayoutDestination;
  @Column('text', { name: 'failure_reason', nullable: true }) failureReason: string | null;
  @Column('jsonb', { nullable: true }) metadata: Record<string, unknown> | null;
  /** Set when the settlement's last retry failed: PENDING, left for an operator. */
  @Column('timestamptz', { name: 'settlement_abandoned_at', nullable: true }) settlementAbandonedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
