import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Notification } from 'pg';
import { AppConfig } from '../config/app-config';
import { DirectDatabase } from '../database/database.module';
import { FaultRulesRepository } from './fault-rules.repository';

/** The channel `create_fault_rule` announces a newly armed client on (migration Console). */
const CHANNEL = 'sandbox_fault_rules';
const RECONNECT_DELAY_MS = 1000;
/** How long arming waits to hear its own announcement before it answers anyway. */
const ECHO_WAIT_MS = 1000;

/**
 * Which clients have a request-fault rule armed, as this process knows it: so that a keyed request of
 * any other client makes no round trip for rules (docs/console.md, "Fault rules"). Every instance
 * LISTENs, on a session of its own, to the announcement `create_fault_rule` makes at COMMIT, and
 * loads the armed set after it starts listening; a spend that finds nothing armed forgets the client,
 * unless news of it arrived meanwhile. While the session is down, every client counts as armed (each
 * keyed request asks the database), until it listens again and has reloaded: never a rule missed for
 * want of news.
 */
@Injectable()
export class ArmedClients implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ArmedClients.name);
  /** client id → the tick of the latest news that it armed a rule. */
  private readonly armed = new Map<string, number>();
  private tick = 0;
  private listening = false;
  /** An outage has been reported and not yet ended. */
  private unheard = false;
  private session: Client | undefined;
  private stopped = false;
  /** client id → how many announcements of it this process has heard; and who waits for the next. */
  private readonly announcements = new Map<string, number>();
  private readonly echoWaiters = new Map<string, Array<() => void>>();

  constructor(
    private readonly config: AppConfig,
    private readonly direct: DirectDatabase,
    private readonly rules: FaultRulesRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.sandboxEnabled) await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.session?.end().catch(() => undefined);
  }

  /** Whether a keyed request of this client must ask the database for a matching rule. */
  mayHaveArmed(clientId: string): boolean {
    return !this.listening || this.armed.has(clientId);
  }

  /** A mark to hand back to `settle` after asking the database. */
  newsOf(clientId: string): number | undefined {
    return this.armed.get(clientId);
  }

  /** The database said this client has no armed rule (as of `newsBefore`): forget it, unless news came since. */
  settle(clientId: string, stillArmed: boolean, newsBefore: number | undefined): void {
    if (!stillArmed && this.listening && this.armed.get(clientId) === newsBefore) this.armed.delete(clientId);
  }

  /** A mark to hand to `armedHere`, taken before the rule is armed. */
  announcementsOf(clientId: string): number {
    return this.announcements.get(clientId) ?? 0;
  }

  /**
   * This process armed a rule for the client: known here at once, and answered once this instance has
   * heard an announcement of it after `heardBefore` (so PostgreSQL has signalled every listening
   * instance), at most ECHO_WAIT_MS.
   */
  async armedHere(clientId: string, heardBefore: number): Promise<void> {
    this.heard(clientId);
    if (!this.listening || this.announcementsOf(clientId) > heardBefore) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ECHO_WAIT_MS);
      const waiters = this.echoWaiters.get(clientId) ?? [];
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.echoWaiters.set(clientId, waiters);
    });
  }

  private heard(clientId: string): void {
    this.armed.set(clientId, ++this.tick);
  }

  private readonly onNotification = ({ channel, payload }: Notification): void => {
    if (channel !== CHANNEL || !payload) return;
    this.heard(payload);
    this.announcements.set(payload, this.announcementsOf(payload) + 1);
    const waiters = this.echoWaiters.get(payload);
    this.echoWaiters.delete(payload);
    for (const wake of waiters ?? []) wake();
  };

  /** LISTEN first, then load: an announcement made in between is heard, or loaded, or both. */
  private async listen(): Promise<void> {
    const session = new Client({ connectionString: this.direct.url, application_name: 'ledgerline-sandbox' });
    this.session = session;
    session.on('notification', this.onNotification);
    session.on('error', (error) => this.lost(session, error));
    session.on('end', () => this.lost(session));
    try {
      await session.connect();
      await session.query(`LISTEN ${CHANNEL}`);
      for (const clientId of await this.rules.armedClients()) this.heard(clientId);
      if (this.session !== session) return;
      this.listening = true;
      this.unheard = false;
    } catch (error) {
      this.lost(session, error);
    }
  }

  /** Each session is lost once: every client counts as armed until a new one listens. */
  private lost(session: Client, error?: unknown): void {
    if (this.session !== session) return;
    this.session = undefined;
    this.listening = false;
    void session.end().catch(() => undefined);
    if (this.stopped) return;
    // Said once per outage, not at every failed reconnection.
    if (!this.unheard) this.logger.warn({ err: error }, 'Not hearing fault-rule announcements; every keyed request asks the database until they are back');
    this.unheard = true;
    void sleep(RECONNECT_DELAY_MS).then(() => (this.stopped ? undefined : this.listen()));
  }
}
