import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { NotFoundError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { JobQueue } from '../jobs/job-queue';
import { MetricsService } from '../metrics/metrics.service';
import { LedgerService } from '../ledger/ledger.service';
import { WalletsRepository } from '../wallets/wallets.repository';
import { WalletsService } from '../wallets/wallets.service';
import { PayoutDestination } from './dto/create-payout.dto';
import { PayoutsRepository } from './payouts.repository';
import { PayoutResponse } from './dto/payout.response';
import { presentPayout } from './payouts.presenter';

export const PAYOUT_SETTLEMENT_QUEUE = 'payout-settlement';

export interface SettlementJob {
  clientId: string;
  payoutId: string;
}

/** A payout as every dialect states it: the amount in minor units, the wallet already chosen. */
export interface PayoutRequest {
  walletId: string;
  amount: bigint;
  destination: PayoutDestination;
  metadata?: Record<string, unknown>;
}

@Injectable()
export class PayoutsService {
  constructor(
    private readonly payouts: PayoutsRepository,
    private readonly wallets: WalletsService,
    private readonly walletRows: WalletsRepository,
    private readonly ledger: LedgerService,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Debits the wallet into PAYOUT_CLEARING at once and answers PENDING. The settlement job is
   * enqueued in the same transaction; the rail is called later, by the worker, never from here.
   */
  async create(clientId: string, request: PayoutRequest): Promise<PayoutResponse> {
    const { amount } = request;
    const wallet = await this.walletRows.findOne(clientId, request.walletId);
    if (!wallet) throw new NotFoundError('Wallet');
    const balanceAfter = await this.wallets.debit(clientId, wallet.id, amount, wallet.currency);
    const payout = await this.payouts.insert({
      clientId,
      id: uuidv7(),
      status: 'PENDING',
      walletId: wallet.id,
      amount,
      currency: wallet.currency,
      destination: request.destination,
      failureReason: null,
      metadata: request.metadata ?? null,
    });
    await this.ledger.record({
      clientId,
      currency: wallet.currency,
      referenceType: 'PAYOUT',
      referenceId: payout.id,
      legs: [
        { walletId: wallet.id, balanceAfter, amount: -amount, type: 'PAYOUT' },
        { systemAccount: 'PAYOUT_CLEARING', amount, type: 'PAYOUT' },
      ],
    });
    const settleAt = new Date(Date.now() + this.config.get('PAYOUT_SETTLE_DELAY_MS'));
    await this.jobs.sendInTransaction<SettlementJob>(PAYOUT_SETTLEMENT_QUEUE, { clientId, payoutId: payout.id }, settleAt);
    this.metrics.countPayout('PENDING');
    return presentPayout(payout);
  }

  async get(clientId: string, payoutId: string): Promise<PayoutResponse> {
    const payout = await this.payouts.findOne(clientId, payoutId);
    if (!payout) throw new NotFoundError('Payout');
    return presentPayout(payout);
  }
}
