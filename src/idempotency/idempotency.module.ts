import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { IdempotencyController } from './idempotency.controller';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencySweeper } from './idempotency-sweeper';
import { ReplayCache } from './replay-cache';

@Module({
  imports: [ScheduleModule.forRoot()],
  controllers: [IdempotencyController],
  providers: [
    IdempotencyRepository,
    IdempotencySweeper,
    ReplayCache,
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
})
export class IdempotencyModule {}
