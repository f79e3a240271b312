import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { queryPrepared } from '../database/prepared';
import { TxHost } from '../database/transaction';
import { LedgerEntry, SystemAccount } from './ledger-entry.entity';

/**
 * One leg of a movement: on a client wallet (with the balance it left) or on a system account.
 * A wallet leg carries its wallet's owner in `walletClientId` when that is not the movement's
 * client (a transfer to another client); system legs always carry the movement's client.
 */
export type Leg =
  | { walletId: string; walletClientId?: string; balanceAfter: bigint; amount: bigint; type: string }
  | { systemAccount: SystemAccount; amount: bigint; type: string };

export interface Movement {
  clientId: string;
  currency: string;
  referenceType: string;
  referenceId: string;
  legs: Leg[];
}

/**
 * Double-entry postings. Callers update wallet balances first (under the row lock) and hand the
 * resulting balances here, in the same transaction, so a balance always equals the sum of its entries.
 */
@Injectable()
export class LedgerService {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  async record(movement: Movement): Promise<void> {
    const total = movement.legs.reduce((sum, leg) => sum + leg.amount, 0n);
    if (total !== 0n) throw new Error(`Unbalanced movement ${movement.referenceType} ${movement.referenceId}: ${total}`);
    const params: unknown[] = [movement.currency, movement.referenceType, movement.referenceId];
    const rows = movement.legs.map((leg) => {
      const wallet = 'walletId' in leg ? leg : undefined;
      params.push(
        wallet?.walletClientId ?? movement.clientId,
        wallet?.walletId ?? null,
        'systemAccount' in leg ? leg.systemAccount : null,
        leg.type,
        leg.amount.toString(),
        wallet ? wallet.balanceAfter.toString() : null,
      );
      const p = params.length;
      return `($${p - 5}::uuid, $${p - 4}::uuid, $${p - 3}, $1, $${p - 2}, $${p - 1}::bigint, $${p}::bigint, $2, $3)`;
    });
    // The text depends only on the number of legs, so each count is one named statement.
    await queryPrepared(
      this.txHost.tx,
      `ledger_insert_${movement.legs.length}`,
      `INSERT INTO ledger_entries
         (client_id, wallet_id, system_account, currency, type, amount, balance_after, reference_type, reference_id)
       VALUES ${rows.join(', ')}`,
      params,
    );
  }

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
