import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ClientsRepository } from '../clients/clients.repository';
import { deleteInBatches } from '../common/batched-delete';
import { AppConfig } from '../config/app-config';
import { RequestLogRepository } from '../request-log/request-log.repository';
import { FaultRulesRepository } from '../sandbox/fault-rules.repository';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Deletes, in bounded batches every minute, what the console keeps past its time: request-log entries
 * older than REQUEST_LOG_TTL_SECONDS, fault rules spent as long ago, and expired sessions (which no
 * longer authenticate anyway). The same pattern as the idempotency sweeper.
 */
@Injectable()
export class ConsoleSweeper implements OnApplicationBootstrap {
  private readonly logger = new Logger(ConsoleSweeper.name);
  private running = false;

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
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    const ttlSeconds = this.config.get('REQUEST_LOG_TTL_SECONDS');
    let total = 0;
    try {
      total = await deleteInBatches([
        (limit) => this.requestLog.deleteExpired(ttlSeconds, limit),
        (limit) => this.faultRules.deleteSpent(ttlSeconds, limit),
        (limit) => this.clients.deleteExpiredSessions(limit),
      ]);
      if (total > 0) this.logger.log(`Deleted ${total} expired request-log entries, spent fault rules and console sessions`);
    } catch (error) {
      this.logger.error({ err: error }, 'Console sweep failed; the next run retries');
    } finally {
      this.running = false;
    }
    return total;
  }
}
