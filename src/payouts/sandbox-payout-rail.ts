import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { PayoutDestination } from './dto/create-payout.dto';

export interface RailRequest {
  /** Whose payout: a sandbox rail-reject fault rule of this client rejects it (docs/console.md). */
  clientId: string;
  /** Our downstream idempotency key: the rail pays a key at most once. */
  idempotencyKey: string;
  amount: bigint;
  currency: string;
  destination: PayoutDestination;
}

export interface RailResult {
  outcome: 'COMPLETED' | 'FAILED';
  failureReason: string | null;
}

/**
 * Stands in for an external payout rail (a bank or a blockchain). It is called outside any of our
 * transactions, and, like a real rail, deduplicates on the caller's idempotency key: calling it
 * again with the same key pays nothing more and reports the first outcome. A destination whose
 * account number or address starts with FAIL is rejected, and so is a payout that meets an armed
 * rail-reject fault rule of its client. One call (`sandbox_rail_submit`, migration Console).
 */
@Injectable()
export class SandboxPayoutRail {
  constructor(private readonly dataSource: DataSource) {}

  async submit(request: RailRequest): Promise<RailResult> {
    const account = request.destination.type === 'bank_account' ? request.destination.account_number : request.destination.address;
    const rejected = account.toUpperCase().startsWith('FAIL');
    const decided: RailResult = rejected
      ? { outcome: 'FAILED', failureReason: 'DESTINATION_REJECTED: the rail refused this destination' }
      : { outcome: 'COMPLETED', failureReason: null };
    const [row]: Array<{ outcome: RailResult['outcome']; failure_reason: string | null }> = await this.dataSource.query(
      `SELECT outcome, failure_reason FROM sandbox_rail_submit(p_client_id => $1, p_idempotency_key => $2, p_amount => $3, p_currency => $4,
                                                               p_destination => $5, p_outcome => $6, p_failure_reason => $7)`,
      [request.clientId, request.idempotencyKey, request.amount.toString(), request.currency, request.destination, decided.outcome, decided.failureReason],
    );
    return { outcome: row.outcome, failureReason: row.failure_reason };
  }
}
