import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { TxHost } from '../database/transaction';
import { Wallet } from './wallet.entity';

@Injectable()
export class WalletsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  findOne(clientId: string, id: string): Promise<Wallet | null> {
    return this.txHost.tx.findOneBy(Wallet, { clientId, id });
  }

  /** Newest first; `beforeId` is the last id of the previous page. Fetches one extra row to tell if more follow. */
  findPage(clientId: string, limit: number, beforeId?: string): Promise<Wallet[]> {
    const query = this.txHost.tx
      .createQueryBuilder(Wallet, 'w')
      .where('w.client_id = :clientId', { clientId })
      .orderBy('w.id', 'DESC')
      .limit(limit + 1);
    if (beforeId) query.andWhere('w.id < :beforeId', { beforeId });
    return query.getMany();
  }
}
