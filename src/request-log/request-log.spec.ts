import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { validateEnv } from '../config/env.schema';
import { MetricsService } from '../metrics/metrics.service';
import { RequestLog } from './request-log';

describe('RequestLog', () => {
  const dataSource = { driver: {} } as unknown as DataSource;
  const request = (i: number) => ({ client: { id: 'c', name: 'c' }, id: `r${i}`, method: 'GET', url: '/v1/products', routeOptions: { url: '/v1/products' } }) as unknown as FastifyRequest;
  const reply = { elapsedTime: 1, statusCode: 200 } as unknown as FastifyReply;

  it('never blocks a request: past its bound the buffer drops entries and counts them', async () => {
    const metrics = new MetricsService(dataSource);
    // Not bootstrapped: nothing is written, so the buffer only fills.
    const log = new RequestLog(new AppConfig(validateEnv({})), dataSource, metrics);
    for (let i = 0; i < 10_005; i++) log.record(request(i), reply);
    expect(await metrics.registry.getSingleMetricAsString('request_log_dropped_total')).toMatch(/request_log_dropped_total\{reason="buffer_full"\} 5$/m);
  });

  it('keeps nothing when switched off, and never the console’s own requests', async () => {
    const metrics = new MetricsService(dataSource);
    const off = new RequestLog(new AppConfig(validateEnv({ REQUEST_LOG_ENABLED: 'false' })), dataSource, metrics);
    const on = new RequestLog(new AppConfig(validateEnv({})), dataSource, metrics);
    for (let i = 0; i < 10_005; i++) {
      off.record(request(i), reply);
      on.record(Object.assign(request(i), { consoleSession: { expiresAt: new Date() } }), reply);
    }
    expect(await metrics.registry.getSingleMetricAsString('request_log_dropped_total')).not.toMatch(/reason="buffer_full"/);
  });
});
