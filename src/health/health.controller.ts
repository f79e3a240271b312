import { Controller, Get, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { Public } from '../clients/auth.decorators';
import { ApiError } from '../common/errors';
import { ApiEndpoint, ApiTag } from '../openapi/api-decorators';
import { ErrorResponse } from '../openapi/error.response';
import { HealthReportResponse } from './health-report.response';

const READY_TIMEOUT_MS = 1000;

@ApiTag('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  @ApiEndpoint({ summary: 'Liveness', description: 'The process answers. Needs no credentials and touches no database.', security: [] })
  @ApiOkResponse({ type: HealthReportResponse })
  // Documented above: terminus's own documentation has a 503 that liveness never answers.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  live() {
    return this.health.check([]);
  }

  /** Readiness: PostgreSQL answers within a second, on a connection of its own, never behind requests waiting for the pool. */
  @Get('ready')
  @ApiEndpoint({
    summary: 'Readiness: 503 NOT_READY while the database is unreachable',
    description: 'PostgreSQL answers within a second, on a connection of its own (never behind requests waiting for the pool). Needs no credentials.',
    security: [],
  })
  @ApiOkResponse({ type: HealthReportResponse })
  @ApiResponse({ status: 503, type: ErrorResponse, description: 'NOT_READY: the database did not answer; details holds the health report' })
  // Documented above: terminus's own documentation describes its 503 body, not the envelope this sends.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  async ready() {
    try {
      return await this.health.check([() => this.pingDatabase()]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'NOT_READY', 'The database is not reachable', error.getResponse());
    }
  }

  private async pingDatabase() {
    const indicator = this.indicators.check('database');
    try {
      const { url } = this.dataSource.options as PostgresConnectionOptions;
      const probe = new Client({ connectionString: url, connectionTimeoutMillis: READY_TIMEOUT_MS, query_timeout: READY_TIMEOUT_MS, application_name: 'ledgerline-ready' });
      // A server that goes away mid-probe also emits 'error'; unheard, it would end the process. The awaited calls report it.
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.query('SELECT 1');
      } finally {
        await probe.end().catch(() => undefined);
      }
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
