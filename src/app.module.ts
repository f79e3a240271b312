import { DynamicModule, Module } from '@nestjs/common';
import { ClientsModule } from './clients/clients.module';
import { ConsoleModule } from './console/console.module';
import { Drain } from './common/drain';
import { LoggingModule } from './common/logging.module';
import { AppConfigModule } from './config/config.module';
import { EnvSource } from './config/env.schema';
import { DatabaseModule } from './database/database.module';
import { DialectsModule } from './dialects/dialects.module';
import { TransactionModule } from './database/transaction.module';
import { HealthModule } from './health/health.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { JobsModule } from './jobs/jobs.module';
import { LedgerModule } from './ledger/ledger.module';
import { MetricsModule } from './metrics/metrics.module';
import { OperationsModule } from './operations/operations.module';
import { OrdersModule } from './orders/orders.module';
import { PayoutsModule } from './payouts/payouts.module';
import { ProductsModule } from './products/products.module';
import { RequestLogModule } from './request-log/request-log.module';
import { SandboxModule } from './sandbox/sandbox.module';
import { TransfersModule } from './transfers/transfers.module';
import { WalletsModule } from './wallets/wallets.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(envOverrides: EnvSource = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(envOverrides),
        LoggingModule,
        DatabaseModule,
        TransactionModule,
        OperationsModule,
        MetricsModule,
        WebhooksModule,
        JobsModule,
        HealthModule,
        IdempotencyModule,
        ClientsModule,
        LedgerModule,
        WalletsModule,
        ProductsModule,
        OrdersModule,
        TransfersModule,
        PayoutsModule,
        DialectsModule,
        RequestLogModule,
        SandboxModule,
        ConsoleModule,
      ],
      providers: [Drain],
    };
  }
}
