import { Global, Module } from '@nestjs/common';
import { ArmedClients } from './armed-clients';
import { FaultRulesController } from './fault-rules.controller';
import { FaultRulesRepository } from './fault-rules.repository';
import { FaultRulesService } from './fault-rules.service';

/** Global: the sandbox's OperationRunner (built in OperationsModule) spends the rules. */
@Global()
@Module({
  controllers: [FaultRulesController],
  providers: [FaultRulesRepository, FaultRulesService, ArmedClients],
  exports: [FaultRulesService, FaultRulesRepository],
})
export class SandboxModule {}
