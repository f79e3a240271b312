import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { standardDialect } from '../common/response-dialect';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/transaction';
import { Operation } from '../operations/operation';
import { OperationsRepository } from '../operations/operations.repository';
import { prepareCall } from '../operations/prepare-call';
import { WalletsService } from '../wallets/wallets.service';
import { ClientsService } from './clients.service';

/** 1,000,000.00 USD in minor units. */
const SANDBOX_FUNDING = 100_000_000n;

/**
 * Outside production, the first start creates a sandbox client with a funded USD wallet and prints
 * its credentials once, so `npm start` is usable at once. Later starts (and other instances) find it.
 */
@Injectable()
export class SandboxSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(SandboxSeeder.name);

  constructor(
    private readonly config: AppConfig,
    private readonly unitOfWork: UnitOfWork,
    private readonly clients: ClientsService,
    private readonly wallets: WalletsService,
    private readonly operations: OperationsRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.get('NODE_ENV') !== 'development') return;
    // One transaction: the client exists with its funded wallet, or not at all.
    const created = await this.unitOfWork.run(async () => {
      const client = await this.clients.createSandboxIfAbsent();
      if (!client) return null;
      const wallet = this.wallets.create({ currency: 'USD', external_id: 'sandbox' });
      await this.make(client.id, wallet);
      await this.make(client.id, this.wallets.deposit(wallet.args.wallet_id as string, SANDBOX_FUNDING, { owner: client.id }));
      return { client, walletId: wallet.args.wallet_id as string };
    });
    if (!created) return;
    this.logger.log('Sandbox client created; its credentials follow, shown this once');
    process.stdout.write(
      [
        '',
        '  Ledgerline sandbox client (shown once; only a hash of the secret is stored)',
        `    X-API-Key:    ${created.client.api_key}`,
        `    X-API-Secret: ${created.client.api_secret}`,
        `    USD wallet:   ${created.walletId} (funded with 100000000 minor units)`,
        '',
      ].join('\n') + '\n',
    );
  }

  /** An operation without a key, as a statement of the seeding transaction. */
  private async make(clientId: string, operation: Operation): Promise<void> {
    const claim = { clientId, endpoint: 'sandbox seeding', key: null, requestHash: null, signature: null, ttlSeconds: 1, lockWaitMs: this.config.get('IDEMPOTENCY_LOCK_WAIT_MS') };
    const outcome = await this.operations.call(claim, prepareCall(operation, 201, standardDialect), { inTransaction: true });
    if (outcome.outcome !== 'executed') throw new Error(`Seeding the sandbox client: ${operation.fn} was ${outcome.outcome}`);
  }
}
