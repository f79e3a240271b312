import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';

/**
 * Structured JSON logs (pino). Application logs go through nestjs-pino's Logger; each answered
 * request gets one line with its id, written by a Fastify hook (`logRequest` in app.factory.ts).
 * nestjs-pino's per-request middleware (pino-http, and a logger bound in AsyncLocalStorage) is not
 * mounted (`forRoutes: []`): it cost 15 % of first-time orders' throughput and 29 % of /health's
 * (bench/HISTORY.md), and nothing logs inside a request without the request, or its id, at hand.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        forRoutes: [],
        pinoHttp: { level: config.get('LOG_LEVEL') },
      }),
    }),
  ],
})
export class LoggingModule {}
