import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ClientsRepository } from '../clients/clients.repository';
import { BatchedSweep } from '../common/batched-sweep';
import { AppConfig } from '../config/app-config';
import { RequestLogRepository } from '../request-log/request-log.repository';
import { FaultRulesRepository } from '../sandbox/fault-rules.repository';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Deletes, in bounded batches every minute, what the console keeps past its time: request-log entries
 * older than REQUEST_LOG_TTL_SECONDS, fault rules spent as long ago, and expired sessions (which no
 * longer authenticate anyway), through the same BatchedSweep as the idempotency sweeper.
 */
@Injectable()
export class ConsoleSweeper implements OnApplicationBootstrap {
  private readonly sweeps = new BatchedSweep(new Logger(ConsoleSweeper.name), 'expired request-log entries, spent fault rules and console sessions');

  constructor(
    private readonly requestLog: RequestLogRepository,
    private readonly faultRules: FaultRulesRepository,
    private readonly clients: ClientsRepository,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.addInterval('console-sweeper', setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS));
  }

  /** Returns how many rows were deleted. */
  sweep(): Promise<number> {
    const ttlSeconds = this.config.get('REQUEST_LOG_TTL_SECONDS');
    return this.sweeps.run([
      (limit) => this.requestLog.deleteExpired(ttlSeconds, limit),
      (limit) => this.faultRules.deleteSpent(ttlSeconds, limit),
      (limit) => this.clients.deleteExpiredSessions(limit),
    ]);
  }
}
