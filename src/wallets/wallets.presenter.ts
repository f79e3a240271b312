import { minorUnitsToJson } from '../common/money';
import { LedgerEntry } from '../ledger/ledger-entry.entity';
import { LedgerEntryResponse, WalletResponse } from './dto/wallet.response';
import { Wallet } from './wallet.entity';

export function presentWallet(wallet: Omit<Wallet, 'clientId'>): WalletResponse {
  return {
    id: wallet.id,
    currency: wallet.currency,
    balance: minorUnitsToJson(wallet.balance),
    external_id: wallet.externalId,
    metadata: wallet.metadata,
    accepts_external_transfers: wallet.acceptsExternalTransfers,
    created_at: wallet.createdAt.toISOString(),
  };
}

export function presentLedgerEntry(entry: LedgerEntry): LedgerEntryResponse {
  return {
    id: entry.id,
    wallet_id: entry.walletId,
    type: entry.type,
    amount: minorUnitsToJson(entry.amount),
    balance_after: entry.balanceAfter === null ? null : minorUnitsToJson(entry.balanceAfter),
    reference_type: entry.referenceType,
    reference_id: entry.referenceId,
    created_at: entry.createdAt.toISOString(),
  };
}
