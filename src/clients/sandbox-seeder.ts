import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/transaction';
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
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.get('NODE_ENV') !== 'development') return;
    const created = await this.unitOfWork.run(async () => {
      const client = await this.clients.createSandboxIfAbsent();
      if (!client) return null;
      const wallet = await this.wallets.create(client.id, { currency: 'USD', external_id: 'sandbox' });
      await this.wallets.deposit(client.id, wallet.id, SANDBOX_FUNDING);
      return { client, walletId: wallet.id };
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
}
