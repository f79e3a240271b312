import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
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
  refusals: Record<string, PreparedAnswer>;
  event?: string;
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
      status: call.answer.status,
      body: call.answer.body,
      refusals: call.refusals,
      ...(call.event === undefined ? {} : { event: call.event }),
      ...call.args,
    };
    const names = Object.keys(named);
    const text = `SELECT outcome, refusal, status, body, created_at, lifetime_ms FROM ${call.fn}(${names.map((name, i) => `p_${name} => $${i + 1}`).join(', ')})`;
    const values = names.map((name) => toParameter(named[name]));
    const rows: OperationOutcome[] = inTransaction ? await this.txHost.tx.query(text, values) : (await this.pool.query<OperationOutcome>(text, values)).rows;
    return rows[0];
  }
}

/** bigint has no JSON or pg form of its own; everything else node-postgres converts itself. */
function toParameter(value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
