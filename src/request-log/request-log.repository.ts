import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { TxHost } from '../database/transaction';

export interface RequestLogRow {
  entry_id: string;
  request_id: string;
  method: string;
  route: string;
  path: string;
  status: number | null;
  idempotency_key: string | null;
  idempotency_outcome: string | null;
  sandbox_fault: string | null;
  duration_ms: number;
  request_body: string | null;
  response_body: string | null;
  created_at: Date;
}

export interface RequestLogFilter {
  idempotencyKey?: string;
  /** Inclusive bounds: one status, or a class (400..499). */
  statusRange?: [number, number];
  route?: string;
}

const COLUMNS = `entry_id, request_id, method, route, path, status, idempotency_key, idempotency_outcome, sandbox_fault, duration_ms,
                 request_body, response_body, created_at`;

@Injectable()
export class RequestLogRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /** Newest first; `beforeEntry` is the last entry of the previous page. */
  findPage(clientId: string, filter: RequestLogFilter, limit: number, beforeEntry?: string): Promise<RequestLogRow[]> {
    return this.txHost.tx.query(
      `SELECT ${COLUMNS} FROM request_log
       WHERE client_id = $1 AND ($2::uuid IS NULL OR entry_id < $2)
         AND ($3::text IS NULL OR idempotency_key = $3) AND ($4::int IS NULL OR status BETWEEN $4 AND $5) AND ($6::text IS NULL OR route = $6)
       ORDER BY entry_id DESC LIMIT $7`,
      [clientId, beforeEntry ?? null, filter.idempotencyKey ?? null, filter.statusRange?.[0] ?? null, filter.statusRange?.[1] ?? null, filter.route ?? null, limit + 1],
    );
  }

  /** The latest request under this request id (a client may send one X-Request-Id twice). */
  async findByRequestId(clientId: string, requestId: string): Promise<RequestLogRow | undefined> {
    const rows: RequestLogRow[] = await this.txHost.tx.query(
      `SELECT ${COLUMNS} FROM request_log WHERE client_id = $1 AND request_id = $2 ORDER BY entry_id DESC LIMIT 1`,
      [clientId, requestId],
    );
    return rows[0];
  }

  /** Deletes up to `limit` entries older than `ttlSeconds`. */
  async deleteExpired(ttlSeconds: number, limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.txHost.tx.query(
      `DELETE FROM request_log l
       USING (SELECT client_id, entry_id FROM request_log WHERE created_at < now() - make_interval(secs => $1) LIMIT $2) expired
       WHERE l.client_id = expired.client_id AND l.entry_id = expired.entry_id`,
      [ttlSeconds, limit],
    );
    return deleted;
  }
}
