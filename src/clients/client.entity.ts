import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('clients')
export class Client {
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { name: 'api_key' }) apiKey: string;
  /** SHA-256 of the secret; the secret itself is shown once and never stored. */
  @Column('bytea', { name: 'secret_hash' }) secretHash: Buffer;
  /** The secret sealed under CREDENTIALS_KEY, for checking signed requests; null for older clients. */
  @Column('bytea', { name: 'secret_sealed', nullable: true }) secretSealed: Buffer | null;
  @Column('boolean', { name: 'is_sandbox' }) isSandbox: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
