import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { answerClientError, answerFrameworkError } from './common/client-error';
import { Drain } from './common/drain';
import { requestIdFor } from './common/request-id';
import { BODY_LIMIT_BYTES, registerJsonBodyParser } from './common/json-body';
import { createValidationPipe, RefuseNulPipe } from './common/validation.pipe';
import { MetricsService } from './metrics/metrics.service';
import { EnvSource, validateEnv } from './config/env.schema';
import { RequestLog } from './request-log/request-log';
import { setUpOpenApi } from './openapi/openapi';
import { useLeanAsyncResourceBind } from './common/lean-async-resource-bind';
import { UnspentSignatures } from './clients/unspent-signatures';

/** One JSON line per answered request, at info, carrying the request id (see logging.module.ts). */
function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  const logger = PinoLogger.root;
  if (!logger.isLevelEnabled('info')) return;
  logger.info(
    // Flat fields: the logger's req/res serializers (pino-http's) expect raw Node objects.
    { reqId: request.id, method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime },
    'request completed',
  );
}

export interface AppOptions {
  /** Serve the Swagger UI at /docs (/docs-json is always served). */
  docsUi?: boolean;
}

/** Builds the whole HTTP application; main.ts listens on it, tests inject requests into it. */
export async function createApp(envOverrides: EnvSource = {}, { docsUi = true }: AppOptions = {}): Promise<NestFastifyApplication> {
  useLeanAsyncResourceBind();
  // maxParamLength: an idempotency key in a path can be 256 characters; longer values still reach
  // the validation pipes (and the error envelope) instead of Fastify's own 414.
  // Read before the app (and its config) exists: the adapter is built first. Behind a load balancer
  // named by TRUST_PROXY, a request's ip is the client's, from X-Forwarded-For.
  const { TRUST_PROXY } = validateEnv({ ...process.env, ...envOverrides });
  const adapter = new FastifyAdapter({
    trustProxy: TRUST_PROXY ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    routerOptions: { maxParamLength: 2048 },
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
  });
  const fastify = adapter.getInstance();
  registerJsonBodyParser(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(envOverrides), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const drain = app.get(Drain);
  const requestLog = app.get(RequestLog);
  const signatures = app.get(UnspentSignatures);
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (drain.draining) void reply.header('connection', 'close');
    requestLog.capture(request, payload);
    // Only a signed write answered without its call committing waits for a statement; every other answer goes at once.
    if (request.signature === undefined) return done(null, payload);
    void signatures.spend(request).then(() => done(null, payload));
  });
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route template keeps the label set small; unknown routes share one label.
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    requestLog.record(request, reply);
    logRequest(request, reply);
    done();
  });
  app.useGlobalPipes(new RefuseNulPipe(), createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  setUpOpenApi(app, { ui: docsUi });
  app.enableShutdownHooks();
  return app;
}
