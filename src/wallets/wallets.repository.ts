import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { v7 as uuidv7 } from 'uuid';
import { MAX_MINOR_UNITS, parseMinorUnits } from '../common/money';
import { queryPrepared } from '../database/prepared';
import { TxHost } from '../database/transaction';
import { Deposit } from './deposit.entity';
import { Wallet } from './wallet.entity';

export interface NewWallet {
  currency: string;
  externalId: string | null;
  metadata: Record<string, unknown> | null;
}

export interface ChangedWallet {
  balanceAfter: bigint;
  currency: string;
}

interface BalanceRow {
  balance: string;
  currency: string;
}

const toChangedWallet = (row: BalanceRow): ChangedWallet => ({ balanceAfter: parseMinorUnits(row.balance), currency: row.currency });

@Injectable()
export class WalletsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  insert(clientId: string, wallet: NewWallet): Promise<Wallet> {
    return this.txHost.tx.save(this.txHost.tx.create(Wallet, { clientId, id: uuidv7(), balance: 0n, ...wallet }));
  }

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

  /**
   * Adds to the balance under the row lock, unless it would pass 2^53-1.
   * Returns the new balance and the currency, or null when the wallet is unknown or the limit would be passed.
   */
  async credit(clientId: string, walletId: string, amount: bigint): Promise<ChangedWallet | null> {
    const { rows } = await queryPrepared<BalanceRow>(
      this.txHost.tx,
      'wallet_credit',
      `UPDATE wallets SET balance = balance + $3
       WHERE client_id = $1 AND id = $2 AND balance <= $4::bigint - $3
       RETURNING balance::text, currency`,
      [clientId, walletId, amount.toString(), MAX_MINOR_UNITS.toString()],
    );
    return rows[0] ? toChangedWallet(rows[0]) : null;
  }

  /**
   * Takes from the balance under the row lock, only if the wallet holds `currency` and enough of it.
   * Returns the new balance, or null when the wallet is unknown, of another currency, or short.
   */
  async debit(clientId: string, walletId: string, amount: bigint, currency: string): Promise<bigint | null> {
    const { rows } = await queryPrepared<BalanceRow>(
      this.txHost.tx,
      'wallet_debit',
      `UPDATE wallets SET balance = balance - $3
       WHERE client_id = $1 AND id = $2 AND currency = $4 AND balance >= $3
       RETURNING balance::text, currency`,
      [clientId, walletId, amount.toString(), currency],
    );
    return rows[0] ? toChangedWallet(rows[0]).balanceAfter : null;
  }

  /**
   * Locks both wallets of a transfer in id order, so two opposite transfers never deadlock.
   * The source must belong to the caller; the destination may belong to any client.
   */
  async lockForTransfer(clientId: string, fromWalletId: string, toWalletId: string): Promise<Wallet[]> {
    const rows: Array<{ client_id: string; id: string; currency: string; balance: string }> = await this.txHost.tx.query(
      `SELECT client_id, id, currency, balance::text FROM wallets
       WHERE (client_id = $1 AND id = $2) OR id = $3
       ORDER BY id FOR UPDATE`,
      [clientId, fromWalletId, toWalletId],
    );
    return rows.map((row) =>
      this.txHost.tx.create(Wallet, { clientId: row.client_id, id: row.id, currency: row.currency, balance: parseMinorUnits(row.balance) }),
    );
  }

  /** Sets a balance already checked under the lock taken by lockForTransfer. */
  async setLockedBalance(wallet: Wallet, balance: bigint): Promise<void> {
    await this.txHost.tx.query(`UPDATE wallets SET balance = $3 WHERE client_id = $1 AND id = $2`, [
      wallet.clientId,
      wallet.id,
      balance.toString(),
    ]);
  }

  /** The client's default wallet in a currency: the oldest. */
  findDefault(clientId: string, currency: string): Promise<Wallet | null> {
    return this.txHost.tx.findOne(Wallet, { where: { clientId, currency }, order: { id: 'ASC' } });
  }

  async insertDeposit(clientId: string, walletId: string, amount: bigint, currency: string): Promise<Deposit> {
    const id = uuidv7();
    const { rows } = await queryPrepared<{ created_at: Date }>(
      this.txHost.tx,
      'deposit_insert',
      `INSERT INTO deposits (client_id, id, wallet_id, amount, currency) VALUES ($1, $2, $3, $4, $5) RETURNING created_at`,
      [clientId, id, walletId, amount.toString(), currency],
    );
    return this.txHost.tx.create(Deposit, { clientId, id, walletId, amount, currency, createdAt: rows[0].created_at });
  }
}
