import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { BalanceLimitExceededError, CurrencyMismatchError, InsufficientFundsError, NotFoundError } from '../common/errors';
import { decodeCursor, isIdentityKey, Page, PageQuery, toPage } from '../common/pagination';
import { LedgerService } from '../ledger/ledger.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { CreateWalletDto } from './dto/create-wallet.dto';
import { WalletResponse } from './dto/wallet.response';
import { ChangedWallet, WalletsRepository } from './wallets.repository';
import { presentDeposit, presentLedgerEntry, presentWallet } from './wallets.presenter';

@Injectable()
export class WalletsService {
  constructor(
    private readonly wallets: WalletsRepository,
    private readonly ledger: LedgerService,
    private readonly webhooks: WebhooksService,
  ) {}

  async create(clientId: string, dto: CreateWalletDto): Promise<WalletResponse> {
    const wallet = await this.wallets.insert(clientId, {
      currency: dto.currency,
      externalId: dto.external_id ?? null,
      metadata: dto.metadata ?? null,
    });
    return presentWallet(wallet);
  }

  async get(clientId: string, walletId: string): Promise<WalletResponse> {
    const wallet = await this.wallets.findOne(clientId, walletId);
    if (!wallet) throw new NotFoundError('Wallet');
    return presentWallet(wallet);
  }

  /** The wallet a dialect uses when none is named: the client's oldest in `currency`. */
  async defaultWalletId(clientId: string, currency: string): Promise<string> {
    const wallet = await this.wallets.findDefault(clientId, currency);
    if (!wallet) throw new NotFoundError(`${currency} wallet`);
    return wallet.id;
  }

  async list(clientId: string, page: PageQuery): Promise<Page<WalletResponse>> {
    const beforeId = decodeCursor(page.cursor, (key) => isUUID(key));
    const rows = await this.wallets.findPage(clientId, page.limit, beforeId);
    return toPage(rows, page.limit, (wallet) => wallet.id, presentWallet);
  }

  async listTransactions(clientId: string, walletId: string, page: PageQuery) {
    const beforeId = decodeCursor(page.cursor, isIdentityKey);
    await this.get(clientId, walletId);
    const rows = await this.ledger.findWalletEntries(clientId, walletId, page.limit, beforeId);
    return toPage(rows, page.limit, (entry) => entry.id, presentLedgerEntry);
  }

  /** Takes `amount` under the row lock, or throws the domain error that explains why it cannot. */
  async debit(clientId: string, walletId: string, amount: bigint, currency: string): Promise<bigint> {
    const balanceAfter = await this.wallets.debit(clientId, walletId, amount, currency);
    if (balanceAfter !== null) return balanceAfter;
    return this.refuseDebit(clientId, walletId, currency);
  }

  /** After a guarded debit found nothing to take: throws NOT_FOUND, CURRENCY_MISMATCH or INSUFFICIENT_FUNDS. */
  async refuseDebit(clientId: string, walletId: string, currency: string): Promise<never> {
    const wallet = await this.wallets.findOne(clientId, walletId);
    if (!wallet) throw new NotFoundError('Wallet');
    if (wallet.currency !== currency) throw new CurrencyMismatchError(wallet.currency, currency);
    throw new InsufficientFundsError();
  }

  /** Adds `amount` under the row lock, or throws NOT_FOUND / BALANCE_LIMIT_EXCEEDED. */
  async credit(clientId: string, walletId: string, amount: bigint): Promise<ChangedWallet> {
    const credited = await this.wallets.credit(clientId, walletId, amount);
    if (credited !== null) return credited;
    // Nothing was written: tell an unknown wallet from one that would pass the balance limit.
    await this.get(clientId, walletId);
    throw new BalanceLimitExceededError();
  }

  /** Sandbox funding: FUNDING system account to the wallet. */
  async deposit(clientId: string, walletId: string, amount: bigint) {
    const { balanceAfter, currency } = await this.credit(clientId, walletId, amount);
    const deposit = await this.wallets.insertDeposit(clientId, walletId, amount, currency);
    await this.ledger.record({
      clientId,
      currency: deposit.currency,
      referenceType: 'DEPOSIT',
      referenceId: deposit.id,
      legs: [
        { walletId, balanceAfter, amount, type: 'DEPOSIT' },
        { systemAccount: 'FUNDING', amount: -amount, type: 'DEPOSIT' },
      ],
    });
    const view = presentDeposit(deposit, balanceAfter);
    await this.webhooks.emit(clientId, 'deposit.completed', view);
    return view;
  }
}
