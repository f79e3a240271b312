import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import {
  BalanceLimitExceededError,
  BusinessValidationError,
  CurrencyMismatchError,
  InsufficientFundsError,
  NotFoundError,
} from '../common/errors';
import { decided, Operation } from '../operations/operation';
import { CreateTransferDto } from './dto/create-transfer.dto';
import { TransfersRepository } from './transfers.repository';
import { TransferResponse } from './dto/transfer.response';
import { presentTransfer } from './transfers.presenter';

/** What `transfer` can refuse with. */
const TRANSFER_REFUSALS = {
  SOURCE_NOT_FOUND: new NotFoundError('Source wallet'),
  DESTINATION_NOT_FOUND: new NotFoundError('Destination wallet'),
  CURRENCY_MISMATCH: new CurrencyMismatchError('The destination wallet holds another currency than the source'),
  INSUFFICIENT_FUNDS: new InsufficientFundsError(),
  BALANCE_LIMIT_EXCEEDED: new BalanceLimitExceededError(),
};

@Injectable()
export class TransfersService {
  constructor(private readonly transfers: TransfersRepository) {}

  /**
   * Prepares a transfer (`transfer`): money between two wallets of one currency, atomically. The
   * source must be the caller's; the destination may be any client's wallet. The currency is the
   * wallets', so the database fills it in.
   */
  transfer(dto: CreateTransferDto): Operation {
    if (dto.from_wallet_id === dto.to_wallet_id) {
      throw new BusinessValidationError('to_wallet_id', 'to_wallet_id must differ from from_wallet_id');
    }
    const id = uuidv7();
    const createdAt = new Date();
    const view: TransferResponse = {
      id,
      status: 'COMPLETED',
      from_wallet_id: dto.from_wallet_id,
      to_wallet_id: dto.to_wallet_id,
      amount: dto.amount,
      currency: decided('currency'),
      description: dto.description ?? null,
      created_at: createdAt.toISOString(),
    };
    return new Operation(
      'transfer',
      {
        transfer_id: id,
        from_wallet_id: dto.from_wallet_id,
        to_wallet_id: dto.to_wallet_id,
        amount: BigInt(dto.amount),
        description: dto.description ?? null,
        created_at: createdAt,
      },
      view,
      TRANSFER_REFUSALS,
      // The sender's event: the transfer is the sender's resource.
      view,
    );
  }

  async get(clientId: string, transferId: string): Promise<TransferResponse> {
    const transfer = await this.transfers.findOne(clientId, transferId);
    if (!transfer) throw new NotFoundError('Transfer');
    return presentTransfer(transfer);
  }
}
