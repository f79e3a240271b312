import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { TxHost } from '../database/transaction';
import { LedgerEntry } from './ledger-entry.entity';

/** Reads of the double-entry ledger; entries are written only by `ledger_post` (migration Operations). */
@Injectable()
export class LedgerService {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /** A wallet's entries, newest first; `beforeId` is the last id of the previous page. */
  findWalletEntries(clientId: string, walletId: string, limit: number, beforeId?: string): Promise<LedgerEntry[]> {
    const query = this.txHost.tx
      .createQueryBuilder(LedgerEntry, 'e')
      .where('e.client_id = :clientId AND e.wallet_id = :walletId', { clientId, walletId })
      .orderBy('e.id', 'DESC')
      .limit(limit + 1);
    if (beforeId) query.andWhere('e.id < :beforeId', { beforeId });
    return query.getMany();
  }
}
