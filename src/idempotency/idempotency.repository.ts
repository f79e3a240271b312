import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { DataSource } from 'typeorm';
import { queryPrepared, queryPreparedAlone } from '../database/prepared';
import { TxHost } from '../database/transaction';
import { Effect } from './effects';

export interface RecordScope {
  clientId: string;
  endpoint: string;
  key: string;
}

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What a replay needs of a committed record: its response is always present (see the migration). */
export interface CompletedRecord {
  requestHash: Buffer;
  response: StoredResponse;
  createdAt: Date;
}

/** A committed record as read, with where it stands against its expiry. */
export interface StoredRecord extends CompletedRecord {
  expired: boolean;
  /** Time left before it expires, as of the transaction's start (its `now()`). */
  lifetimeMs: number;
}

export class RecordSummary {
  @ApiProperty({ example: 'ord_abc123_1705689660' }) key: string;
  @ApiProperty({ example: 'POST /v1/orders' }) endpoint: string;
  @ApiProperty({ enum: ['COMPLETED', 'EXPIRED'] }) state: 'COMPLETED' | 'EXPIRED';
  @ApiProperty({ example: 201 }) response_status: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
}

interface RecordRow {
  request_hash: Buffer;
  response_status: number;
  response_headers: Record<string, string>;
  response_body: string;
  created_at: Date;
  expired: boolean;
  lifetime_ms: number;
}

@Injectable()
export class IdempotencyRepository {
  constructor(
    @InjectTransactionHost() private readonly txHost: TxHost,
    private readonly dataSource: DataSource,
  ) {}

  /** Bounds every lock wait of the current transaction: the claim's and the wallet rows'. */
  async setLockWait(milliseconds: number): Promise<void> {
    await this.txHost.tx.query(`SELECT set_config('lock_timeout', $1, true)`, [`${milliseconds}ms`]);
  }

  /**
   * Bounds the transaction's lock waits to `lockWaitMs`, then claims the key, in one round trip: the
   * CTE runs before the row is inserted, so the bound is in force when the insert waits. A
   * concurrent claimer of the same key blocks here on the unique index until the first transaction
   * ends (or lock_timeout fires). Returns the claim's time, or null when a committed record holds the key.
   */
  async claim(scope: RecordScope, requestHash: Buffer, ttlSeconds: number, lockWaitMs: number): Promise<Date | null> {
    const { rows } = await queryPrepared<{ created_at: Date }>(
      this.txHost.tx,
      'idempotency_claim',
      `WITH bounded AS (SELECT set_config('lock_timeout', $6, true))
       INSERT INTO idempotency_keys (client_id, endpoint, key, request_hash, expires_at)
       SELECT $1, $2, $3, $4, now() + make_interval(secs => $5) FROM bounded
       ON CONFLICT (client_id, endpoint, key) DO NOTHING
       RETURNING created_at`,
      [scope.clientId, scope.endpoint, scope.key, requestHash, ttlSeconds, `${lockWaitMs}ms`],
    );
    return rows[0]?.created_at ?? null;
  }

  /**
   * Claims the key, makes `effect` and records `response`, in one statement that commits by itself
   * (docs/idempotency.md, "One statement"). A duplicate in flight is waited on at the unique index,
   * as in `claim`. When the key was already taken by a record committed before the statement began,
   * that record comes back instead, and nothing is written. Null when nothing was written and nothing
   * read: the key was taken by a request that committed while this one waited on it, or the client
   * subscribes to the effect's event (its outbox rows are the transactional path's to write). When
   * the effect's guard refuses, `effect_refused()` undoes the statement and it throws (`isEffectRefused`,
   * database-errors.ts).
   */
  async claimWithEffect(
    scope: RecordScope,
    requestHash: Buffer,
    ttlSeconds: number,
    lockWaitMs: number,
    response: StoredResponse,
    effect: Effect,
  ): Promise<{ claimedAt: Date } | { taken: StoredRecord } | null> {
    const claimParams: unknown[] = [`${lockWaitMs}ms`, scope.clientId, scope.endpoint, scope.key, requestHash, ttlSeconds, response.status, response.headers, response.body];
    const $ = (i: number) => `$${effect.params.length + i}`;
    let unsubscribed = '';
    if (effect.event) {
      claimParams.push(effect.event.type);
      unsubscribed = `WHERE NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE client_id = ${$(2)} AND ${$(10)} = ANY (events))`;
    }
    const { rows } = await queryPreparedAlone<RecordRow & { claimed: boolean }>(
      this.dataSource,
      `${effect.name}_claimed`,
      `WITH bounded AS (SELECT set_config('lock_timeout', ${$(1)}, true)),
       claim AS (
         INSERT INTO idempotency_keys
           (client_id, endpoint, key, request_hash, expires_at, response_status, response_headers, response_body, completed_at)
         SELECT ${$(2)}, ${$(3)}, ${$(4)}, ${$(5)}, now() + make_interval(secs => ${$(6)}), ${$(7)}, ${$(8)}, ${$(9)}, now()
         FROM bounded ${unsubscribed}
         ON CONFLICT (client_id, endpoint, key) DO NOTHING
         RETURNING created_at),
       ${effect.ctes}
       SELECT true AS claimed, claim.created_at, CASE WHEN EXISTS (SELECT 1 FROM ${effect.proof}) THEN true ELSE effect_refused() END AS done,
              NULL::bytea AS request_hash, NULL::smallint AS response_status, NULL::jsonb AS response_headers,
              NULL::text AS response_body, NULL::boolean AS expired, NULL::float8 AS lifetime_ms
       FROM claim
       UNION ALL
       SELECT false, k.created_at, NULL, k.request_hash, k.response_status, k.response_headers, k.response_body,
              k.expires_at <= now(), (EXTRACT(EPOCH FROM k.expires_at - now()) * 1000)::float8
       FROM idempotency_keys k
       WHERE k.client_id = ${$(2)} AND k.endpoint = ${$(3)} AND k.key = ${$(4)} AND NOT EXISTS (SELECT 1 FROM claim)`,
      [...effect.params, ...claimParams],
    );
    const row = rows[0];
    if (!row) return null;
    return row.claimed ? { claimedAt: row.created_at } : { taken: toStoredRecord(row) };
  }

  /** An expired record counts as new: the first to lock it starts over in its place. */
  async claimExpired(scope: RecordScope, requestHash: Buffer, ttlSeconds: number): Promise<Date | null> {
    const [rows]: [Array<{ created_at: Date }>, number] = await this.txHost.tx.query(
      `UPDATE idempotency_keys
       SET request_hash = $4, created_at = now(), expires_at = now() + make_interval(secs => $5),
           response_status = NULL, response_headers = NULL, response_body = NULL, completed_at = NULL
       WHERE client_id = $1 AND endpoint = $2 AND key = $3 AND expires_at <= now()
       RETURNING created_at`,
      [scope.clientId, scope.endpoint, scope.key, requestHash, ttlSeconds],
    );
    return rows[0]?.created_at ?? null;
  }

  async find(scope: RecordScope): Promise<StoredRecord | null> {
    const rows: RecordRow[] = await this.txHost.tx.query(
      `SELECT request_hash, response_status, response_headers, response_body, created_at, expires_at <= now() AS expired,
              (EXTRACT(EPOCH FROM expires_at - now()) * 1000)::float8 AS lifetime_ms
       FROM idempotency_keys WHERE client_id = $1 AND endpoint = $2 AND key = $3`,
      [scope.clientId, scope.endpoint, scope.key],
    );
    return rows[0] ? toStoredRecord(rows[0]) : null;
  }

  async complete(scope: RecordScope, response: StoredResponse): Promise<void> {
    await queryPrepared(
      this.txHost.tx,
      'idempotency_complete',
      `UPDATE idempotency_keys
       SET response_status = $4, response_headers = $5, response_body = $6, completed_at = now()
       WHERE client_id = $1 AND endpoint = $2 AND key = $3`,
      [scope.clientId, scope.endpoint, scope.key, response.status, response.headers, response.body],
    );
  }

  /** The caller's own records under one key, across endpoints (inspection). */
  findSummaries(clientId: string, key: string): Promise<RecordSummary[]> {
    return this.dataSource.query(
      `SELECT key, endpoint, CASE WHEN expires_at <= now() THEN 'EXPIRED' ELSE 'COMPLETED' END AS state,
              response_status,
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
              to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires_at
       FROM idempotency_keys WHERE client_id = $1 AND key = $2
       ORDER BY created_at DESC, endpoint`,
      [clientId, key],
    );
  }

  /** Deletes up to `limit` expired records; rows a claimer holds locked are skipped, not waited on. */
  async deleteExpired(limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM idempotency_keys k
       USING (SELECT client_id, endpoint, key FROM idempotency_keys
              WHERE expires_at <= now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED) expired
       WHERE k.client_id = expired.client_id AND k.endpoint = expired.endpoint AND k.key = expired.key`,
      [limit],
    );
    return deleted;
  }
}

function toStoredRecord(row: RecordRow): StoredRecord {
  return {
    requestHash: row.request_hash,
    response: { status: row.response_status, headers: row.response_headers, body: row.response_body },
    createdAt: row.created_at,
    expired: row.expired,
    lifetimeMs: row.lifetime_ms,
  };
}
