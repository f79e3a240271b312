import { minorUnitsToJson } from '../common/money';
import { PayoutResponse } from './dto/payout.response';
import { Payout } from './payout.entity';

export function presentPayout(payout: Payout): PayoutResponse {
  return {
    id: payout.id,
    status: payout.status,
    wallet_id: payout.walletId,
    amount: minorUnitsToJson(payout.amount),
    currency: payout.currency,
    destination: payout.destination,
    failure_reason: payout.failureReason,
    metadata: payout.metadata,
    created_at: payout.createdAt.toISOString(),
    updated_at: payout.updatedAt.toISOString(),
  };
}
