import { Injectable } from '@nestjs/common';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

export type IdempotencyOutcome = 'executed' | 'replayed' | 'reused' | 'in_use';

/** Prometheus metrics of this process, served at /metrics. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  private readonly idempotencyOutcomes = new Counter({
    name: 'idempotency_outcomes_total',
    help: 'Keyed requests by outcome: executed, replayed, reused (422), in_use (409; 503 on Starship routes)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  private readonly payouts = new Counter({
    name: 'payouts_total',
    help: 'Payouts entering each status: PENDING when written (before COMMIT), then COMPLETED or FAILED',
    labelNames: ['status'],
    registers: [this.registry],
  });

  private readonly webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts by result (delivered, failed)',
    labelNames: ['result'],
    registers: [this.registry],
  });

  private readonly requestLogDropped = new Counter({
    name: 'request_log_dropped_total',
    help: 'Request log entries not kept: buffer_full (the in-memory buffer was at its bound) or write_failed (the database refused the batch)',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  constructor(dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state (total, idle, waiting requests)',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const pool = (dataSource.driver as PostgresDriver).master as { totalCount: number; idleCount: number; waitingCount: number } | undefined;
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  countIdempotency(outcome: IdempotencyOutcome): void {
    this.idempotencyOutcomes.inc({ outcome });
  }

  countPayout(status: 'PENDING' | 'COMPLETED' | 'FAILED'): void {
    this.payouts.inc({ status });
  }

  countWebhookDelivery(result: 'delivered' | 'failed'): void {
    this.webhookDeliveries.inc({ result });
  }

  countRequestLogDropped(reason: 'buffer_full' | 'write_failed', entries: number): void {
    this.requestLogDropped.inc({ reason }, entries);
  }
}
