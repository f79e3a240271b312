import { Injectable, NotFoundException } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { NotFoundError } from '../common/errors';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { RequestLogQuery } from './dto/request-log-query.dto';
import { RequestLogEntryResponse } from './dto/request-log-entry.response';
import { RequestLog } from './request-log';
import { RequestLogFilter, RequestLogRepository, RequestLogRow } from './request-log.repository';

@Injectable()
export class RequestLogService {
  constructor(
    private readonly log: RequestLog,
    private readonly entries: RequestLogRepository,
  ) {}

  async list(clientId: string, query: RequestLogQuery): Promise<Page<RequestLogEntryResponse>> {
    this.refuseWhenOff();
    const beforeEntry = decodeCursor(query.cursor, (key) => isUUID(key));
    const rows = await this.entries.findPage(clientId, filterOf(query), query.limit, beforeEntry);
    return toPage(rows, query.limit, (row) => row.entry_id, presentEntry);
  }

  async get(clientId: string, requestId: string): Promise<RequestLogEntryResponse> {
    this.refuseWhenOff();
    const row = await this.entries.findByRequestId(clientId, requestId);
    if (!row) throw new NotFoundError('Request');
    return presentEntry(row);
  }

  /** Off, the log's routes answer as routes that do not exist. */
  private refuseWhenOff(): void {
    if (!this.log.enabled) throw new NotFoundException();
  }
}

function filterOf(query: RequestLogQuery): RequestLogFilter {
  const status = query.status;
  const statusRange: [number, number] | undefined =
    status === undefined ? undefined : status.endsWith('xx') ? [Number(status[0]) * 100, Number(status[0]) * 100 + 99] : [Number(status), Number(status)];
  return { idempotencyKey: query.idempotency_key, statusRange, route: query.route };
}

function presentEntry(row: RequestLogRow): RequestLogEntryResponse {
  return {
    id: row.request_id,
    method: row.method,
    route: row.route,
    path: row.path,
    status: row.status,
    idempotency_key: row.idempotency_key,
    idempotency_outcome: row.idempotency_outcome,
    sandbox_fault: row.sandbox_fault,
    duration_ms: Math.round(row.duration_ms * 100) / 100,
    request_body: row.request_body,
    response_body: row.response_body,
    created_at: row.created_at.toISOString(),
  };
}
