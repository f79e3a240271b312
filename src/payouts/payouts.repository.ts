import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { TxHost } from '../database/transaction';
import { PayoutResponse } from './dto/payout.response';
import { Payout } from './payout.entity';

@Injectable()
export class PayoutsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  findOne(clientId: string, id: string): Promise<Payout | null> {
    return this.txHost.tx.findOneBy(Payout, { clientId, id });
  }

  /** Newest first; `beforeId` is the last id of the previous page. */
  findPage(clientId: string, limit: number, beforeId?: string): Promise<Payout[]> {
    const query = this.txHost.tx.createQueryBuilder(Payout, 'p').where('p.client_id = :clientId', { clientId }).orderBy('p.id', 'DESC').limit(limit + 1);
    if (beforeId) query.andWhere('p.id < :beforeId', { beforeId });
    return query.getMany();
  }

  /**
   * Moves a PENDING payout to its outcome with its ledger legs, the refund on failure, and its event,
   * in one call (`settle_payout`, migration Operations). Only one caller can win: the others (a second
   * worker, a retried job) find it no longer PENDING, write nothing and get ALREADY_SETTLED.
   */
  async settle(settled: Payout, event: PayoutResponse): Promise<'COMPLETED' | 'FAILED' | 'ALREADY_SETTLED'> {
    const [row]: Array<{ result: 'COMPLETED' | 'FAILED' | 'ALREADY_SETTLED' }> = await this.txHost.tx.query(
      `SELECT settle_payout(p_client_id => $1, p_payout_id => $2, p_outcome => $3, p_failure_reason => $4, p_updated_at => $5, p_event => $6) AS result`,
      [settled.clientId, settled.id, settled.status, settled.failureReason, settled.updatedAt, event],
    );
    return row.result;
  }

  /**
   * Its settlement ran out of retries: the reconciler leaves it PENDING for an operator (migration SettlementAbandoned).
   * False when it is no longer PENDING (a last run that outlived its expiry settled it) or was marked already.
   */
  async markSettlementAbandoned(clientId: string, payoutId: string): Promise<boolean> {
    const [, marked]: [unknown, number] = await this.txHost.tx.query(
      `UPDATE payouts SET settlement_abandoned_at = now() WHERE client_id = $1 AND id = $2 AND status = 'PENDING' AND settlement_abandoned_at IS NULL`,
      [clientId, payoutId],
    );
    return marked === 1;
  }

  /** Gives up to `limit` PENDING payouts without a live settlement job a new one (`requeue_stranded_payouts`, migration StrandedPayouts). */
  async requeueStranded(limit: number): Promise<number> {
    const [row]: Array<{ requeued: number }> = await this.txHost.tx.query(`SELECT requeue_stranded_payouts(p_limit => $1) AS requeued`, [limit]);
    return row.requeued;
  }
}
