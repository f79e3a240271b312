import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { PayoutDestination } from './dto/create-payout.dto';

export interface RailRequest {
  /** Our downstream idempotency key: the rail pays a key at most once. */
  idempotencyKey: string;
  amount: bigint;
  currency: string;
  destination: PayoutDestination;
}

interface RailRow {
  outcome: RailResult['outcome'];
  failure_reason: string | null;
}

export interface RailResult {
  outcome: 'COMPLETED' | 'FAILED';
  failureReason: string | null;
}

/**
 * Stands in for an external payout rail (a bank or a blockchain). It is called outside any of our
 * transactions, and, like a real rail, deduplicates on the caller's idempotency key: calling it
 * again with the same key pays nothing more and reports the first outcome. A destination whose
 * account number or address starts with FAIL is rejected.
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
    // The first submission of a key decides; any later one reads that decision back (in a second
    // statement: one statement's snapshot may not see a row a concurrent submitter just committed).
    const inserted: RailRow[] = await this.dataSource.query(
      `INSERT INTO sandbox_rail_transfers (idempotency_key, amount, currency, destination, outcome, failure_reason)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING outcome, failure_reason`,
      [request.idempotencyKey, request.amount.toString(), request.currency, request.destination, decided.outcome, decided.failureReason],
    );
    const rows: RailRow[] = inserted.length
      ? inserted
      : await this.dataSource.query(`SELECT outcome, failure_reason FROM sandbox_rail_transfers WHERE idempotency_key = $1`, [
          request.idempotencyKey,
        ]);
    return { outcome: rows[0].outcome, failureReason: rows[0].failure_reason };
  }
}
