import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { BalanceLimitExceededError, NotFoundError } from '../common/errors';
import { minorUnitsToJson } from '../common/money';
import { decodeCursor, isIdentityKey, Page, PageQuery, toPage } from '../common/pagination';
import { LedgerService } from '../ledger/ledger.service';
import { decided, Operation } from '../operations/operation';
import { CreateWalletDto } from './dto/create-wallet.dto';
import { UpdateWalletDto } from './dto/update-wallet.dto';
import { DepositResponse, WalletResponse } from './dto/wallet.response';
import { WalletsRepository } from './wallets.repository';
import { presentLedgerEntry, presentWallet } from './wallets.presenter';

/** What `update_wallet` can refuse with. */
const UPDATE_REFUSALS = { WALLET_NOT_FOUND: new NotFoundError('Wallet') };

/** What `deposit` can refuse with. */
const DEPOSIT_REFUSALS = { WALLET_NOT_FOUND: new NotFoundError('Wallet'), BALANCE_LIMIT_EXCEEDED: new BalanceLimitExceededError() };

@Injectable()
export class WalletsService {
  constructor(
    private readonly wallets: WalletsRepository,
    private readonly ledger: LedgerService,
  ) {}

  /** Prepares a new, empty wallet (`create_wallet`). */
  create(dto: CreateWalletDto): Operation {
    const wallet = {
      id: uuidv7(),
      currency: dto.currency,
      balance: 0n,
      externalId: dto.external_id ?? null,
      metadata: dto.metadata ?? null,
      acceptsExternalTransfers: dto.accepts_external_transfers ?? false,
      createdAt: new Date(),
    };
    return new Operation(
      'create_wallet',
      {
        wallet_id: wallet.id,
        currency: wallet.currency,
        external_id: wallet.externalId,
        metadata: wallet.metadata,
        accepts_external_transfers: wallet.acceptsExternalTransfers,
        created_at: wallet.createdAt,
      },
      presentWallet(wallet),
    );
  }

  /** Prepares a change of what the owner may change (`update_wallet`); the answer is the wallet as the database then holds it. */
  update(walletId: string, dto: UpdateWalletDto): Operation {
    const changes = Object.fromEntries(Object.entries(dto).filter(([, value]) => value !== undefined));
    const view: WalletResponse = {
      id: walletId,
      currency: decided('currency'),
      balance: decided('balance'),
      external_id: decided('external_id'),
      metadata: decided('metadata'),
      accepts_external_transfers: decided('accepts_external_transfers'),
      created_at: decided('created_at'),
    };
    return new Operation('update_wallet', { wallet_id: walletId, changes }, view, UPDATE_REFUSALS);
  }

  async get(clientId: string, walletId: string): Promise<WalletResponse> {
    const wallet = await this.wallets.findOne(clientId, walletId);
    if (!wallet) throw new NotFoundError('Wallet');
    return presentWallet(wallet);
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

  /**
   * Prepares a credit from the FUNDING system account (`deposit`): a client's sandbox deposit into its
   * own wallet (`owner`), or, with no owner, the operator's credit into any client's wallet.
   */
  deposit(walletId: string, amount: bigint, { owner, reference }: { owner?: string; reference?: string } = {}): Operation {
    const id = uuidv7();
    const createdAt = new Date();
    const view: DepositResponse = {
      id,
      wallet_id: walletId,
      amount: minorUnitsToJson(amount),
      currency: decided('currency'),
      balance_after: decided('balance_after'),
      reference: reference ?? null,
      created_at: createdAt.toISOString(),
    };
    return new Operation(
      'deposit',
      { deposit_id: id, wallet_id: walletId, wallet_owner: owner ?? null, amount, reference: reference ?? null, created_at: createdAt },
      view,
      DEPOSIT_REFUSALS,
      view,
    );
  }
}
