import { minorUnitsToJson } from '../common/money';
import { TransferResponse } from './dto/transfer.response';
import { Transfer } from './transfer.entity';

export function presentTransfer(transfer: Transfer): TransferResponse {
  return {
    id: transfer.id,
    status: transfer.status,
    from_wallet_id: transfer.fromWalletId,
    to_wallet_id: transfer.toWalletId,
    amount: minorUnitsToJson(transfer.amount),
    currency: transfer.currency,
    description: transfer.description,
    created_at: transfer.createdAt.toISOString(),
  };
}
