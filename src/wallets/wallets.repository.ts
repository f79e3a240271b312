import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { minorUnitsColumn } from '../common/bigint.transformer';
import { TxHost } from '../database/transaction';
import { Wallet } from './wallet.entity';

@Injectable()
export class WalletsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /**
   * One wallet by its key, as one plain statement: TypeORM's findOneBy builds its query and hydrates
   * the entity anew on every call, which was most of what an authenticated wallet read cost in Node.
   */
  async findOne(clientId: string, id: string): Promise<Wallet | null> {
    const rows: WalletRow[] = await this.txHost.tx.query(
      `SELECT client_id, id, currency, balance, external_id, metadata, accepts_external_transfers, created_at
       FROM wallets WHERE client_id = $1 AND id = $2`,
      [clientId, id],
    );
    return rows.length === 0 ? null : walletOf(rows[0]);
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

interface WalletRow {
  client_id: string;
  id: string;
  currency: string;
  balance: string;
  external_id: string | null;
  metadata: Record<string, unknown> | null;
  accepts_external_transfers: boolean;
  created_at: Date;
}

function walletOf(row: WalletRow): Wallet {
  return Object.assign(new Wallet(), {
    clientId: row.client_id,
    id: row.id,
    currency: row.currency,
    balance: minorUnitsColumn.from(row.balance) as bigint,
    externalId: row.external_id,
    metadata: row.metadata,
    acceptsExternalTransfers: row.accepts_external_transfers,
    createdAt: row.created_at,
  });
}
