import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';

/** Structured JSON logs; every request's lines carry its id (the one sent back as X-Request-Id). */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.get('LOG_LEVEL'),
          // Fastify assigned the id before any middleware ran (see app.factory.ts); reuse it.
          genReqId: (req) => (req as { id?: string }).id ?? 'unknown',
          redact: ['req.headers["x-api-secret"]', 'req.headers.authorization', 'req.headers["cf-access-sign"]'],
        },
      }),
    }),
  ],
})
export class LoggingModule {}
