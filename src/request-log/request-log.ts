import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { isConsoleRead } from '../clients/console-sessions';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { entryOf, keepableBody, RequestLogEntry } from './request-log-entry';

const FLUSH_INTERVAL_MS = 200;
/** Rows per INSERT; a full batch is written at once instead of waiting for the timer. */
const BATCH_ROWS = 500;
/** The buffer's bounds: past either, new rows are dropped (and counted), never waited for. */
const MAX_BUFFERED_ROWS = 10_000;
const MAX_BUFFERED_CHARS = 32 * 1024 * 1024;

/** One multi-row INSERT: a column of values per array, a row per index. */
const INSERT_BATCH = `
  INSERT INTO request_log (client_id, entry_id, request_id, method, route, path, status, idempotency_key, idempotency_outcome,
                           sandbox_fault, duration_ms, request_body, response_body, created_at)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::smallint[], $8::text[], $9::text[],
                       $10::text[], $11::real[], $12::text[], $13::text[], $14::timestamptz[])`;

/**
 * The request log's writer (docs/console.md). A request only appends its entry to a bounded buffer
 * in memory, in the response hook; a timer writes the buffer in batches, one INSERT each, on a
 * connection of its own: no request waits for it, makes a round trip for it, or lends it a pooled
 * connection. A full buffer, or a batch the database refuses, drops rows and counts them
 * (`request_log_dropped_total`).
 */
@Injectable()
export class RequestLog implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(RequestLog.name);
  readonly enabled: boolean;
  private buffer: RequestLogEntry[] = [];
  private bufferedChars = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pool: Pool | undefined;

  constructor(
    config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {
    this.enabled = config.requestLogEnabled;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    const { url } = this.dataSource.options as PostgresConnectionOptions;
    this.pool = new Pool({ connectionString: url, max: 1, application_name: 'ledgerline-request-log' });
    // A lost connection fails the batch in flight (counted); the next batch connects anew.
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'Request log connection lost'));
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
  }

  /** The body a client request is answered with, kept for its entry (Fastify's onSend). */
  capture(request: FastifyRequest, payload: unknown): void {
    if (this.enabled && request.client && typeof payload === 'string') request.responsePayload = payload;
  }

  /** An answered request (Fastify's onResponse). The console's reads (its polling) are not logged; its writes are. */
  record(request: FastifyRequest, reply: FastifyReply): void {
    if (this.enabled && !isConsoleRead(request)) this.append(entryOf(request, reply, { answered: true }));
  }

  /** A request whose connection the sandbox closed without an answer (drop-response): no onResponse follows. */
  recordDropped(request: FastifyRequest, reply: FastifyReply): void {
    if (this.enabled && !isConsoleRead(request)) this.append(entryOf(request, reply, { answered: false }));
  }

  private append(entry: RequestLogEntry | undefined): void {
    if (!entry) return;
    const chars = (entry.requestBody?.length ?? 0) + (entry.responseBody?.length ?? 0) + entry.path.length;
    if (this.buffer.length >= MAX_BUFFERED_ROWS || this.bufferedChars + chars > MAX_BUFFERED_CHARS) {
      this.metrics.countRequestLogDropped('buffer_full', 1);
      return;
    }
    this.buffer.push(entry);
    this.bufferedChars += chars;
    if (this.buffer.length >= BATCH_ROWS) setImmediate(() => void this.flush());
  }

  /** Writes everything buffered so far; resolves when it is written (or dropped). One flush at a time. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0 || !this.pool) return;
    this.flushing = this.writeBuffered();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  private async writeBuffered(): Promise<void> {
    const entries = this.buffer;
    this.buffer = [];
    this.bufferedChars = 0;
    for (let start = 0; start < entries.length; start += BATCH_ROWS) {
      const batch = entries.slice(start, start + BATCH_ROWS);
      try {
        await this.pool!.query(INSERT_BATCH, columnsOf(batch));
      } catch (error) {
        this.metrics.countRequestLogDropped('write_failed', batch.length);
        this.logger.warn({ err: error, rows: batch.length }, 'Request log batch not written');
      }
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    return this.flush();
  }

  /** What was answered while the server closed, then the connection. */
  async onApplicationShutdown(): Promise<void> {
    await this.flush();
    await this.pool?.end();
    this.pool = undefined;
  }
}

function columnsOf(batch: RequestLogEntry[]): unknown[][] {
  const column = <T>(pick: (entry: RequestLogEntry) => T) => batch.map(pick);
  return [
    column((e) => e.clientId),
    column((e) => e.entryId),
    column((e) => e.requestId),
    column((e) => e.method),
    column((e) => e.route),
    column((e) => e.path),
    column((e) => e.status),
    column((e) => e.idempotencyKey),
    column((e) => e.idempotencyOutcome),
    column((e) => e.sandboxFault),
    column((e) => e.durationMs),
    column((e) => keepableBody(e.requestBody)),
    column((e) => keepableBody(e.responseBody)),
    column((e) => e.createdAt.toISOString()),
  ];
}
