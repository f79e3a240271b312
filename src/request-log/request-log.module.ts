import { Global, Module } from '@nestjs/common';
import { RequestLog } from './request-log';
import { RequestLogController } from './request-log.controller';
import { RequestLogRepository } from './request-log.repository';
import { RequestLogService } from './request-log.service';

/** Global: the app's response hooks and the sandbox's dropped responses write to the one RequestLog. */
@Global()
@Module({
  controllers: [RequestLogController],
  providers: [RequestLog, RequestLogRepository, RequestLogService],
  exports: [RequestLog, RequestLogRepository],
})
export class RequestLogModule {}
