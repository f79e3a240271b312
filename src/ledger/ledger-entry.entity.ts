import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { minorUnitsColumn } from '../common/bigint.transformer';

export type SystemAccount = 'FUNDING' | 'REVENUE' | 'PAYOUT_CLEARING' | 'PAYOUTS_SETTLED';

@Entity('ledger_entries')
export class LedgerEntry {
  @PrimaryColumn('uuid', { name: 'client_id' }) clientId: string;
  /** Identity column: its order is the ledger's order, and the cursor of the transactions list. */
  @PrimaryColumn('bigint', { generated: 'identity' }) id: string;
  @Column('uuid', { name: 'wallet_id', nullable: true }) walletId: string | null;
  @Column('text', { name: 'system_account', nullable: true }) systemAccount: SystemAccount | null;
  @Column('text') currency: string;
  @Column('text') type: string;
  @Column('bigint', { transformer: minorUnitsColumn }) amount: bigint;
  @Column('bigint', { name: 'balance_after', nullable: true, transformer: minorUnitsColumn }) balanceAfter: bigint | null;
  @Column('text', { name: 'reference_type' }) referenceType: string;
  @Column('uuid', { name: 'reference_id' }) referenceId: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
