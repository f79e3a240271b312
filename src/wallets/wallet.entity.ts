import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { minorUnitsColumn } from '../common/bigint.transformer';

@Entity('wallets')
export class Wallet {
  @PrimaryColumn('uuid', { name: 'client_id' }) clientId: string;
  /** UUIDv7: time-ordered, so it is also the list's sort key. */
  @PrimaryColumn('uuid') id: string;
  @Column('text') currency: string;
  /** Minor units; CHECK (balance >= 0 AND balance <= 2^53-1) in the database. */
  @Column('bigint', { transformer: minorUnitsColumn }) balance: bigint;
  @Column('text', { name: 'external_id', nullable: true }) externalId: string | null;
  @Column('jsonb', { nullable: true }) metadata: Record<string, unknown> | null;
  /** Whether other clients may transfer into it; to them it does not exist otherwise. */
  @Column('boolean', { name: 'accepts_external_transfers' }) acceptsExternalTransfers: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
