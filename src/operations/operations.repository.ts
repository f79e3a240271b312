import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import type { Pool } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { UsedSignature } from '../clients/credentials';
import { TxHost } from '../database/transaction';
import { OperationOutcome } from './operation';

/** The key an operation claims; a null key (an optional key left out) claims nothing. */
export interface Claim {
  clientId: string;
  endpoint: string;
  key: string | null;
  requestHash: Buffer | null;
  ttlSeconds: number;
  lockWaitMs: number;
  /** A signed request's signature: the call refuses it when it signed another request. */
  signature: UsedSignature | null;
}

export interface PreparedAnswer {
  status: number;
  body: string;
}

/** An operation with every answer rendered: what one call of its function needs. */
export interface PreparedCall {
  fn: string;
  args: Record<string, unknown>;
  answer: PreparedAnswer;
  /** `{"NAME": {status, body}}`, as JSON text: parsed by the function only when it refuses. */
  refusals: string;
  /** The event, when it is not the answer itself. */
  event?: string;
  /** The operation's own follow-up in this process once executed (Operation.executed). */
  executed?: () => void | Promise<void>;
}

/**
 * Makes an operation in one round trip: `SELECT ... FROM <fn>(p_name => $n, ...)`, an unnamed
 * statement (no protocol-level state, so transaction-mode poolers work); PL/pgSQL caches the plans
 * of the statements inside per server connection.
 */
@Injectable()
export class OperationsRepository {
  private readonly pool: Pool;

  constructor(
    dataSource: DataSource,
    @InjectTransactionHost() private readonly txHost: TxHost,
  ) {
    this.pool = (dataSource.driver as PostgresDriver).master as Pool;
  }

  /**
   * The call commits by itself; `inTransaction` makes it a statement of the current UnitOfWork's
   * transaction instead (the sandbox's faults, the sandbox client's seeding).
   */
  async call(claim: Claim, call: PreparedCall, { inTransaction = false } = {}): Promise<OperationOutcome> {
    const named: Record<string, unknown> = {
      client_id: claim.clientId,
      endpoint: claim.endpoint,
      key: claim.key,
      request_hash: claim.requestHash,
      ttl_seconds: claim.ttlSeconds,
      lock_wait_ms: claim.lockWaitMs,
      signature: claim.signature?.bytes ?? null,
      signed_request: claim.signature?.requestHash ?? null,
      status: call.answer.status,
      body: call.answer.body,
      refusals: call.refusals,
      ...(call.event === undefined ? {} : { event: call.event }),
      ...call.args,
    };
    const names = Object.keys(named);
    const text = `SELECT outcome, refusal, status, body, created_at, lifetime_ms FROM ${call.fn}(${names.map((name, i) => `p_${name} => $${i + 1}`).join(', ')})`;
    const values = names.map((name) => toParameter(named[name]));
    try {
      const rows: OperationOutcome[] = inTransaction ? await this.txHost.tx.query(text, values) : (await this.pool.query<OperationOutcome>(text, values)).rows;
      return rows[0];
    } catch (error) {
      const waited = lockWaitOutcome(error);
      if (waited) return { outcome: waited, refusal: null, status: null, body: null, created_at: null, lifetime_ms: null };
      throw error;
    }
  }
}

/**
 * A lock wait that passed `lock_timeout` (SQLSTATE 55P03) undid the whole call. It was a duplicate
 * in flight when it happened in `idempotency_claim`, which the error's context names; otherwise a
 * wallet row (busy). Anything else is not a lock wait.
 */
function lockWaitOutcome(error: unknown): 'in_use' | 'busy' | undefined {
  const cause = (error instanceof QueryFailedError ? error.driverError : error) as { code?: string; where?: string } | undefined;
  if (cause?.code !== '55P03') return undefined;
  return cause.where?.includes('idempotency_claim(') ? 'in_use' : 'busy';
}

/** bigint has no JSON or pg form of its own; everything else node-postgres converts itself. */
function toParameter(value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
