import { Controller, Get, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { Public } from '../clients/auth.decorators';
import { ApiError } from '../common/errors';

const READY_TIMEOUT_MS = 1000;

@ApiTags('health')
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
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness', security: [] })
  live() {
    return this.health.check([]);
  }

  /** Readiness: PostgreSQL answers within a second, on a connection of its own, never behind requests waiting for the pool. */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: 503 NOT_READY while the database is unreachable', security: [] })
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
