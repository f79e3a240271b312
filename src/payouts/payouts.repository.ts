import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { TxHost } from '../database/transaction';
import { Payout } from './payout.entity';

@Injectable()
export class PayoutsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /** insert(), not save(): save() would first SELECT the row to choose between insert and update. */
  async insert(payout: Omit<Payout, 'createdAt' | 'updatedAt'>): Promise<Payout> {
    // TypeORM's deep-partial typing cannot express the free-form jsonb columns (destination, metadata).
    const { generatedMaps } = await this.txHost.tx.insert(Payout, payout as QueryDeepPartialEntity<Payout>);
    return this.txHost.tx.create(Payout, { ...payout, ...generatedMaps[0] });
  }

  findOne(clientId: string, id: string): Promise<Payout | null> {
    return this.txHost.tx.findOneBy(Payout, { clientId, id });
  }

  /**
   * Moves a PENDING payout to its final status. Only one caller can win: the others (a second
   * worker, a retried job) find it no longer PENDING and get false, and must write nothing.
   */
  async settleIfPending(clientId: string, id: string, status: 'COMPLETED' | 'FAILED', failureReason: string | null): Promise<boolean> {
    const [, updated]: [unknown, number] = await this.txHost.tx.query(
      `UPDATE payouts SET status = $3, failure_reason = $4, updated_at = now()
       WHERE client_id = $1 AND id = $2 AND status = 'PENDING'`,
      [clientId, id, status, failureReason],
    );
    return updated === 1;
  }
}
