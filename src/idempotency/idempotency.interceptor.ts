import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { performance } from 'node:perf_hooks';
import { OPERATOR } from '../clients/authenticated-client';
import { DomainError, ResourceBusyError, SignatureReusedError } from '../common/errors';
import { PreparedResponse } from '../common/prepared-response';
import { dialectOf, ResponseDialect } from '../common/response-dialect';
import { setHeadersAsWritten } from '../common/wire-headers';
import { AppConfig } from '../config/app-config';
import { IdempotencyOutcome, MetricsService } from '../metrics/metrics.service';
import { Operation, OperationOutcome } from '../operations/operation';
import { Exchange, OperationRunner } from '../operations/operation-runner';
import { Claim } from '../operations/operations.repository';
import { prepareCall, prepareRefusal } from '../operations/prepare-call';
import { fingerprint } from './fingerprint';
import { readIdempotencyKey } from './idempotency-key';
import { keyInUse, keyRequired, keyReused } from './idempotency.errors';
import { IDEMPOTENCY_SCOPE, isWrite, REQUIRES_IDEMPOTENCY_KEY } from './idempotency.decorators';
import { CachedRecord, RecordedAnswer, RecordScope, ReplayCache } from './replay-cache';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** What a keyed request answers with: the recorded answer, when it was first made, and whether this is a replay. */
interface Answer {
  recorded: RecordedAnswer;
  createdAt: Date;
  replayed: boolean;
}

/**
 * The exactly-once layer (docs/idempotency.md). A client's POST handler prepares an Operation, once;
 * this reads the key's carriers, fingerprints the request and makes the operation in one call of its
 * PL/pgSQL function, which claims the key, makes the effect, records the answer and says which
 * outcome happened. Then it sends that outcome: the headers, a replay, the route's dialect.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly runner: OperationRunner,
    private readonly replayCache: ReplayCache,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (!isWrite(request.method)) return next.handle();
    const handler = context.getHandler();
    const requiresKey = this.reflector.get<boolean>(REQUIRES_IDEMPOTENCY_KEY, handler) === true;
    // The admin API has no client: its money-moving routes (they require a key) are the operator's; the rest stay outside.
    const client = request.client ?? (requiresKey ? OPERATOR : undefined);
    if (!client) return next.handle();

    const query = (request.query ?? {}) as Record<string, unknown>;
    const body = request.body;
    const bodyObject = isPlainObject(body) ? body : undefined;
    const key = readIdempotencyKey({ header: request.headers['idempotency-key'], query: query.client_order_id, body: bodyObject?.accessTag });
    request.idempotencyKey = key;
    // The carriers are not part of the resource: DTO validation must not see them.
    if (bodyObject) delete bodyObject.accessTag;
    if (key === undefined && requiresKey) throw keyRequired();

    const routeTemplate = request.routeOptions.url ?? request.url;
    const { client_order_id: _carrier, ...fingerprintedQuery } = query;
    const claim: Claim = {
      clientId: client.id,
      endpoint: this.reflector.get<string>(IDEMPOTENCY_SCOPE, handler) ?? `${request.method} ${routeTemplate}`,
      key: key ?? null,
      requestHash: key === undefined ? null : fingerprint({ method: request.method, routeTemplate, params: request.params, query: fingerprintedQuery, body }),
      ttlSeconds: this.config.get('IDEMPOTENCY_TTL_SECONDS'),
      lockWaitMs: this.config.get('IDEMPOTENCY_LOCK_WAIT_MS'),
      signature: request.signature ?? null,
    };
    const status = this.reflector.get<number>(HTTP_CODE_METADATA, handler) ?? (request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
    const dialect = dialectOf(request);
    const exchange: Exchange = { request, reply: http.getResponse<FastifyReply>() };
    return from(this.answer(exchange, claim, status, dialect, next).then((answer) => this.send(exchange.reply, claim.key, answer, status, dialect)));
  }

  /**
   * A record this instance has replayed before answers from memory; anything else is one call. A
   * signed request always makes the call, which remembers its signature: answered from memory, the
   * signature would stay free to sign another request.
   */
  private async answer(exchange: Exchange, claim: Claim, status: number, dialect: ResponseDialect, next: CallHandler): Promise<Answer> {
    const scope = claim.key === null ? undefined : { clientId: claim.clientId, endpoint: claim.endpoint, key: claim.key };
    const known = scope && claim.signature === null ? this.replayCache.get(scope) : undefined;
    if (known) return this.replay(exchange.request, claim, known);

    const call = await this.prepare(next, status, dialect, claim.key !== null);
    // Taken before the call (and its now()) begins: see ReplayCache.remember.
    const startedAt = performance.now();
    const outcome = await this.runner.run(exchange, claim, call);
    // The call committed, and remembered the signature with it, unless a lock wait past the bound undid
    // it: then UnspentSignatures remembers it, as for a request that made no call.
    if (outcome.outcome !== 'in_use' && outcome.outcome !== 'busy') exchange.request.signature = undefined;
    if (outcome.outcome === 'executed') await call.executed?.();
    return this.settle(exchange.request, claim, outcome, scope, startedAt);
  }

  /**
   * Runs the route's handler, which prepares its operation. A refusal it decides itself (an unknown
   * product, say) is an answer too: recorded under the key, or, with no key, simply sent.
   */
  private async prepare(next: CallHandler, status: number, dialect: ResponseDialect, keyed: boolean) {
    try {
      const operation = await lastValueFrom(next.handle());
      if (!(operation instanceof Operation)) throw new Error('a write handler inside the idempotency layer must return an Operation');
      return prepareCall(operation, status, dialect);
    } catch (error) {
      if (keyed && error instanceof DomainError) return prepareRefusal(error, dialect);
      throw error;
    }
  }

  private settle(request: FastifyRequest, claim: Claim, outcome: OperationOutcome, scope: RecordScope | undefined, startedAt: number): Answer {
    const recorded = { status: outcome.status!, body: outcome.body! };
    switch (outcome.outcome) {
      case 'executed':
      case 'refused':
        this.decided(request, 'executed');
        return { recorded, createdAt: outcome.created_at!, replayed: false };
      case 'replayed': {
        // The function compared fingerprints: a replayed record is this request's own.
        const record = { requestHash: claim.requestHash!, recorded, createdAt: outcome.created_at! };
        // Committed before we read it, it cannot change until it expires: a key retried once tends to be retried again.
        this.replayCache.remember(scope!, record, startedAt, outcome.lifetime_ms!);
        this.decided(request, 'replayed');
        return { recorded, createdAt: record.createdAt, replayed: true };
      }
      case 'reused':
        this.decided(request, 'reused');
        throw keyReused(claim.key!);
      case 'unauthenticated':
        throw new SignatureReusedError();
      case 'in_use':
        this.decided(request, 'in_use');
        throw keyInUse(claim.key!);
      case 'busy':
        // A wallet's row lock was held too long: nothing was kept, the same key may retry.
        throw new ResourceBusyError(claim.key ?? undefined);
    }
  }

  /** A committed record answers every request with its key: the same answer, or 422 if the request differs. */
  private replay(request: FastifyRequest, claim: Claim, known: CachedRecord): Answer {
    if (!known.requestHash.equals(claim.requestHash!)) {
      this.decided(request, 'reused');
      throw keyReused(claim.key!);
    }
    this.decided(request, 'replayed');
    return { recorded: known.recorded, createdAt: known.createdAt, replayed: true };
  }

  /** Counted, and left on the request for its request-log entry. */
  private decided(request: FastifyRequest, outcome: IdempotencyOutcome): void {
    this.metrics.countIdempotency(outcome);
    request.idempotencyOutcome = outcome;
  }

  private send(reply: FastifyReply, key: string | null, answer: Answer, routeStatus: number, dialect: ResponseDialect): string {
    const headers: Record<string, string> =
      key === null
        ? {}
        : { 'Idempotency-Key': key, 'Idempotency-Replayed': String(answer.replayed), 'Idempotency-Created-At': answer.createdAt.toISOString() };
    const { status, body } = answer.recorded;
    // Nest answers with the route's status; any other recorded status goes out through the filter.
    if (status !== routeStatus) throw new PreparedResponse(status, body, headers);
    void reply.type(JSON_CONTENT_TYPE);
    setHeadersAsWritten(reply, headers);
    return answer.replayed && dialect.replayedSuccessBody ? dialect.replayedSuccessBody(body) : body;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
