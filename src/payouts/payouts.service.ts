import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { isUUID } from 'class-validator';
import { NotFoundError } from '../common/errors';
import { decodeCursor, Page, PageQuery, toPage } from '../common/pagination';
import { minorUnitsToJson } from '../common/money';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { decided, Operation } from '../operations/operation';
import { debitRefusals } from '../wallets/debit-refusals';
import { PayoutDestination } from './dto/create-payout.dto';
import { PayoutsRepository } from './payouts.repository';
import { PayoutResponse } from './dto/payout.response';
import { presentPayout } from './payouts.presenter';

/** Also named by `create_payout` (migration Operations), which enqueues its jobs. */
export const PAYOUT_SETTLEMENT_QUEUE = 'payout-settlement';

export interface SettlementJob {
  clientId: string;
  payoutId: string;
}

/** A payout as every dialect states it: the amount in minor units. */
export interface PayoutRequest {
  /** Absent: the client's oldest wallet in `currency` (the dialects' implicit wallet). */
  walletId?: string;
  /** Absent: the wallet's own; present, the wallet must hold it. */
  currency?: string;
  amount: bigint;
  destination: PayoutDestination;
  metadata?: Record<string, unknown>;
}

@Injectable()
export class PayoutsService {
  constructor(
    private readonly payouts: PayoutsRepository,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Prepares a payout (`create_payout`): debited at once into PAYOUT_CLEARING, answered PENDING,
   * with its settlement job enqueued by the same call; the rail is called later, by the worker.
   */
  create(request: PayoutRequest): Operation {
    const id = uuidv7();
    const createdAt = new Date();
    const view: PayoutResponse = {
      id,
      status: 'PENDING',
      wallet_id: request.walletId ?? decided('wallet_id'),
      amount: minorUnitsToJson(request.amount),
      currency: request.currency ?? decided('currency'),
      destination: request.destination,
      failure_reason: null,
      metadata: request.metadata ?? null,
      created_at: createdAt.toISOString(),
      updated_at: createdAt.toISOString(),
    };
    const wallet = request.walletId === undefined ? `${request.currency} wallet` : 'Wallet';
    return new Operation(
      'create_payout',
      {
        payout_id: id,
        wallet_id: request.walletId ?? null,
        currency: request.currency ?? null,
        amount: request.amount,
        destination: request.destination,
        metadata: request.metadata ?? null,
        created_at: createdAt,
        settle_at: new Date(createdAt.getTime() + this.config.get('PAYOUT_SETTLE_DELAY_MS')),
      },
      view,
      debitRefusals(wallet, request.currency),
    ).onExecuted(() => this.metrics.countPayout('PENDING'));
  }

  async list(clientId: string, page: PageQuery): Promise<Page<PayoutResponse>> {
    const beforeId = decodeCursor(page.cursor, (key) => isUUID(key));
    const rows = await this.payouts.findPage(clientId, page.limit, beforeId);
    return toPage(rows, page.limit, (payout) => payout.id, presentPayout);
  }

  async get(clientId: string, payoutId: string): Promise<PayoutResponse> {
    const payout = await this.payouts.findOne(clientId, payoutId);
    if (!payout) throw new NotFoundError('Payout');
    return presentPayout(payout);
  }
}
