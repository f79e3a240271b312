import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { minorUnitsColumn } from '../common/bigint.transformer';

/** Owned by the sending client; the receiving wallet may belong to another client. */
@Entity('transfers')
export class Transfer {
  @PrimaryColumn('uuid', { name: 'client_id' }) clientId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') status: 'COMPLETED';
  @Column('uuid', { name: 'from_wallet_id' }) fromWalletId: string;
  @Column('uuid', { name: 'to_client_id' }) toClientId: string;
  @Column('uuid', { name: 'to_wallet_id' }) toWalletId: string;
  @Column('bigint', { transformer: minorUnitsColumn }) amount: bigint;
  @Column('text') currency: string;
  @Column('text', { nullable: true }) description: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
