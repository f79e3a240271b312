import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import {
  BalanceLimitExceededError,
  BusinessValidationError,
  CurrencyMismatchError,
  InsufficientFundsError,
  NotFoundError,
} from '../common/errors';
import { MAX_MINOR_UNITS } from '../common/money';
import { LedgerService } from '../ledger/ledger.service';
import { WalletsRepository } from '../wallets/wallets.repository';
import { WebhooksService } from '../webhooks/webhooks.service';
import { CreateTransferDto } from './dto/create-transfer.dto';
import { TransfersRepository } from './transfers.repository';
import { TransferResponse } from './dto/transfer.response';
import { presentTransfer } from './transfers.presenter';

@Injectable()
export class TransfersService {
  constructor(
    private readonly transfers: TransfersRepository,
    private readonly wallets: WalletsRepository,
    private readonly ledger: LedgerService,
    private readonly webhooks: WebhooksService,
  ) {}

  /**
   * Moves money between two wallets of one currency, atomically. The source must be the caller's;
   * the destination may be any client's wallet.
   */
  async transfer(clientId: string, dto: CreateTransferDto): Promise<TransferResponse> {
    if (dto.from_wallet_id === dto.to_wallet_id) {
      throw new BusinessValidationError('to_wallet_id', 'to_wallet_id must differ from from_wallet_id');
    }
    const amount = BigInt(dto.amount);
    const locked = await this.wallets.lockForTransfer(clientId, dto.from_wallet_id, dto.to_wallet_id);
    const from = locked.find((wallet) => wallet.id === dto.from_wallet_id && wallet.clientId === clientId);
    const to = locked.find((wallet) => wallet.id === dto.to_wallet_id);
    if (!from) throw new NotFoundError('Source wallet');
    if (!to) throw new NotFoundError('Destination wallet');
    if (from.currency !== to.currency) throw new CurrencyMismatchError(to.currency, from.currency);
    if (from.balance < amount) throw new InsufficientFundsError();
    if (to.balance > MAX_MINOR_UNITS - amount) throw new BalanceLimitExceededError();

    const fromBalance = from.balance - amount;
    const toBalance = to.balance + amount;
    await this.wallets.setLockedBalance(from, fromBalance);
    await this.wallets.setLockedBalance(to, toBalance);
    const transfer = await this.transfers.insert({
      clientId,
      id: uuidv7(),
      status: 'COMPLETED',
      fromWalletId: from.id,
      toClientId: to.clientId,
      toWalletId: to.id,
      amount,
      currency: from.currency,
      description: dto.description ?? null,
    });
    await this.ledger.record({
      clientId,
      currency: from.currency,
      referenceType: 'TRANSFER',
      referenceId: transfer.id,
      legs: [
        { walletId: from.id, balanceAfter: fromBalance, amount: -amount, type: 'TRANSFER_OUT' },
        { walletId: to.id, walletClientId: to.clientId, balanceAfter: toBalance, amount, type: 'TRANSFER_IN' },
      ],
    });
    const view = presentTransfer(transfer);
    // The sender's event: the transfer is the sender's resource.
    await this.webhooks.emit(clientId, 'transfer.completed', view);
    return view;
  }

  async get(clientId: string, transferId: string): Promise<TransferResponse> {
    const transfer = await this.transfers.findOne(clientId, transferId);
    if (!transfer) throw new NotFoundError('Transfer');
    return presentTransfer(transfer);
  }
}
