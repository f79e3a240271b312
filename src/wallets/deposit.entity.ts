import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { minorUnitsColumn } from '../common/bigint.transformer';

/** Sandbox funding: money enters a wallet from the FUNDING system account. */
@Entity('deposits')
export class Deposit {
  @PrimaryColumn('uuid', { name: 'client_id' }) clientId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'wallet_id' }) walletId: string;
  @Column('bigint', { transformer: minorUnitsColumn }) amount: bigint;
  @Column('text') currency: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
