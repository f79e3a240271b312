import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/transaction';
import { RequestLog } from '../request-log/request-log';
import { FaultRulesService } from '../sandbox/fault-rules.service';
import { SandboxOperationRunner } from '../sandbox/sandbox-operation-runner';
import { DirectOperationRunner, OperationRunner } from './operation-runner';
import { OperationsRepository } from './operations.repository';

@Global()
@Module({
  providers: [
    OperationsRepository,
    {
      // Sandbox faults and fault rules plug in only outside production.
      provide: OperationRunner,
      inject: [AppConfig, OperationsRepository, UnitOfWork, FaultRulesService, RequestLog],
      useFactory: (config: AppConfig, operations: OperationsRepository, unitOfWork: UnitOfWork, faultRules: FaultRulesService, requestLog: RequestLog): OperationRunner =>
        config.sandboxEnabled ? new SandboxOperationRunner(operations, unitOfWork, faultRules, requestLog) : new DirectOperationRunner(operations),
    },
  ],
  exports: [OperationsRepository, OperationRunner],
})
export class OperationsModule {}
