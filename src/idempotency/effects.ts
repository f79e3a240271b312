import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { ClsService } from 'nestjs-cls';
import { DomainError } from '../common/errors';
import { queryPrepared } from '../database/prepared';
import { TxHost } from '../database/transaction';
import { WebhookEventType } from '../webhooks/webhook-events';
import { WebhooksService } from '../webhooks/webhooks.service';

/**
 * A business effect written as data-modifying CTEs, so that it can share one statement with the
 * claim and the recorded response (DESIGN.md section 1; docs/idempotency.md, "One statement").
 * The same text runs either way: fused with the claim for a first-time request on a
 * `@OneStatement()` route, or as a statement of its own inside a request's transaction.
 */
export interface Effect {
  /** Names the prepared statements built from it: one name, one text. */
  name: string;
  /**
   * CTE definitions, comma-separated, without `WITH`, over `params` as `$1`…`$n`. Every write acts
   * only `WHERE EXISTS (SELECT 1 FROM claim)`, directly or through a CTE that does: `claim` is
   * defined before them and has a row only if the key was claimed.
   */
  ctes: string;
  /** The CTE that has a row if and only if the effect happened (a guarded UPDATE found its row). */
  proof: string;
  params: unknown[];
  /** Runs in the transaction when the effect did not happen: throws the DomainError that says why. */
  refusal(): Promise<never>;
  /** Told to the client's webhook subscribers once the effect has happened. */
  event?: { clientId: string; type: WebhookEventType; data: unknown };
}

export interface PlannedHandler<T> {
  result: T;
  effect: Effect;
}

/** What a handler under planning has applied. */
interface Plan {
  effect?: Effect;
  effects: number;
}

const PLAN = Symbol('ledgerline:effect-plan');

/** Makes effects, or notes them while the idempotency layer plans a handler. */
@Injectable()
export class Effects {
  constructor(
    private readonly cls: ClsService,
    @InjectTransactionHost() private readonly txHost: TxHost,
    private readonly webhooks: WebhooksService,
  ) {}

  /** Makes the effect now, in the current transaction, or throws its refusal; under planning, only notes it. */
  async apply(effect: Effect): Promise<void> {
    const plan = this.cls.isActive() ? this.cls.get<Plan | undefined>(PLAN) : undefined;
    if (plan) {
      plan.effect = effect;
      plan.effects++;
      return;
    }
    // Already claimed earlier in this transaction: `claim` only has to have its one row.
    const { rows } = await queryPrepared<{ done: boolean }>(
      this.txHost.tx,
      effect.name,
      `WITH claim AS (SELECT), ${effect.ctes} SELECT EXISTS (SELECT 1 FROM ${effect.proof}) AS done`,
      effect.params,
    );
    if (!rows[0].done) await effect.refusal();
    if (effect.event) await this.webhooks.emit(effect.event.clientId, effect.event.type, effect.event.data);
  }

  /**
   * Runs `handler` outside any transaction with its effect noted, not made. Returns its result and
   * that effect; or undefined when the handler refused (a DomainError) or applied other than one
   * effect, and the request must take the transactional path. A planned handler may read, but
   * writes only through its one effect: nothing it does is undone.
   */
  plan<T>(handler: () => Promise<T>): Promise<PlannedHandler<T> | undefined> {
    return this.cls.run(async () => {
      const plan: Plan = { effects: 0 };
      this.cls.set(PLAN, plan);
      let result: T;
      try {
        result = await handler();
      } catch (error) {
        if (error instanceof DomainError) return undefined;
        throw error;
      }
      return plan.effect && plan.effects === 1 ? { result, effect: plan.effect } : undefined;
    });
  }
}
