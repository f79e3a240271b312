import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/transaction';
import { SandboxOperationRunner } from '../sandbox/sandbox-operation-runner';
import { DirectOperationRunner, OperationRunner } from './operation-runner';
import { OperationsRepository } from './operations.repository';

@Global()
@Module({
  providers: [
    OperationsRepository,
    {
      // Sandbox faults plug in only outside production.
      provide: OperationRunner,
      inject: [AppConfig, OperationsRepository, UnitOfWork],
      useFactory: (config: AppConfig, operations: OperationsRepository, unitOfWork: UnitOfWork): OperationRunner =>
        config.isProduction ? new DirectOperationRunner(operations) : new SandboxOperationRunner(operations, unitOfWork),
    },
  ],
  exports: [OperationsRepository, OperationRunner],
})
export class OperationsModule {}
