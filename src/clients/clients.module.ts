import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { WalletsModule } from '../wallets/wallets.module';
import { AdminClientsController } from './admin-clients.controller';
import { AuthGuard } from './auth.guard';
import { ClientsRepository } from './clients.repository';
import { ClientsService } from './clients.service';
import { ConsoleSessions } from './console-sessions';
import { CredentialsCache } from './credentials-cache';
import { FailedAuthThrottle } from './failed-auth-throttle';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitsModule } from './rate-limits.module';
import { SandboxSeeder } from './sandbox-seeder';
import { SlidingWindowStorage } from './sliding-window-storage';
import { UnspentSignatures } from './unspent-signatures';

@Module({
  imports: [
    WalletsModule,
    RateLimitsModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitsModule],
      inject: [AppConfig, SlidingWindowStorage],
      useFactory: (config: AppConfig, storage: SlidingWindowStorage) => ({
        throttlers: [{ ttl: 60_000, limit: config.get('RATE_LIMIT_PER_MINUTE') }],
        storage,
      }),
    }),
  ],
  controllers: [AdminClientsController],
  exports: [ClientsRepository, ConsoleSessions],
  providers: [
    ClientsRepository,
    ClientsService,
    CredentialsCache,
    ConsoleSessions,
    FailedAuthThrottle,
    SandboxSeeder,
    UnspentSignatures,
    // In this order: authenticate, then count against the authenticated client.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class ClientsModule {}
