import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, ResourceBusyError } from '../common/errors';
import { PreparedResponse } from '../common/prepared-response';
import { RESPONSE_DIALECT, ResponseDialect, standardDialect } from '../common/response-dialect';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { isEffectRefused, isLockTimeout } from '../database/database-errors';
import { UnitOfWork } from '../database/transaction';
import { Effects } from './effects';
import { fingerprint } from './fingerprint';
import { readIdempotencyKey } from './idempotency-key';
import { keyInUse, keyRequired, keyReused } from './idempotency.errors';
import { CompletedRecord, IdempotencyRepository, RecordScope, StoredRecord, StoredResponse } from './idempotency.repository';
import { IDEMPOTENCY_SCOPE, ONE_STATEMENT, REQUIRES_IDEMPOTENCY_KEY } from './idempotency.decorators';
import { ReplayCache } from './replay-cache';
import { parseSandboxFault, ResponseDropped, SandboxFailure, SandboxFault } from './sandbox-fault';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** Headers a replay repeats; everything else about a response is its status and body. */
const REPLAYED_HEADERS = ['content-type', 'location'];
/** A key can be swept or taken over between our claim and our read; a few rounds settle it. */
const MAX_CLAIM_ROUNDS = 3;
/** The smallest lock wait PostgreSQL bounds: 0 would mean no bound at all. */
const NO_MORE_WAITING_MS = 1;

/** One keyed request on its way through the idempotency layer. */
interface KeyedRequest {
  scope: RecordScope;
  requestHash: Buffer;
  routeStatus: number;
  dialect: ResponseDialect;
  fault: SandboxFault | undefined;
  /** Bounds each lock wait (IDEMPOTENCY_LOCK_WAIT_MS, less after a wait in one statement timed out). */
  lockWaitMs: number;
  /** The route is @OneStatement and no sandbox fault needs the transaction's steps. */
  oneStatement: boolean;
  next: CallHandler;
}

interface Outcome {
  response: StoredResponse;
  createdAt: Date;
  replayed: boolean;
}

/**
 * The exactly-once heart (DESIGN.md sections 1 and 2). Every POST's handler runs in one transaction
 * opened here. With an idempotency key, that transaction first claims (client, endpoint, key) on the
 * unique index, then runs the handler, then stores the response, and commits all of it together:
 * a crash or a 5xx before COMMIT leaves nothing, a duplicate waits on the index and then replays.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly unitOfWork: UnitOfWork,
    private readonly records: IdempotencyRepository,
    private readonly effects: Effects,
    private readonly replayCache: ReplayCache,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (request.method !== 'POST') return next.handle();
    // Admin routes have no client to scope a key by: one transaction, outside the idempotency layer.
    if (!request.client) return from(this.inTransaction(() => this.runHandler(next)));

    const query = (request.query ?? {}) as Record<string, unknown>;
    const body = request.body;
    const bodyObject = isPlainObject(body) ? body : undefined;
    const key = readIdempotencyKey({
      header: request.headers['idempotency-key'],
      query: query.client_order_id,
      body: bodyObject?.accessTag,
    });
    // The carriers are not part of the resource: DTO validation must not see them.
    if (bodyObject) delete bodyObject.accessTag;

    if (key === undefined) {
      if (this.reflector.get<boolean>(REQUIRES_IDEMPOTENCY_KEY, context.getHandler())) throw keyRequired();
      return from(this.inTransaction(() => this.runHandler(next)));
    }

    const { client_order_id: _carrier, ...fingerprintedQuery } = query;
    const routeTemplate = request.routeOptions.url ?? request.url;
    const endpoint = this.reflector.get<string>(IDEMPOTENCY_SCOPE, context.getHandler()) ?? `POST ${routeTemplate}`;
    const scope: RecordScope = { clientId: request.client.id, endpoint, key };
    const requestHash = fingerprint({ method: 'POST', routeTemplate, params: request.params, query: fingerprintedQuery, body });
    const fault = this.config.isProduction ? undefined : parseSandboxFault(request.headers['x-sandbox-fault']);
    const routeStatus = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const dialect = this.reflector.getAllAndOverride<ResponseDialect>(RESPONSE_DIALECT, [context.getHandler(), context.getClass()]) ?? standardDialect;
    const lockWaitMs = this.config.get('IDEMPOTENCY_LOCK_WAIT_MS');
    const oneStatement = fault === undefined && this.reflector.get<boolean>(ONE_STATEMENT, context.getHandler()) === true;

    return from(
      this.outcomeOf({ scope, requestHash, routeStatus, dialect, fault, lockWaitMs, oneStatement, next }).then((outcome) => {
        if (fault?.kind === 'drop-response' && !outcome.replayed) {
          // Committed; now lose the answer, as a dropped connection would.
          http.getResponse<FastifyReply>().hijack();
          request.raw.socket?.destroy();
          throw new ResponseDropped();
        }
        return this.send(http.getResponse<FastifyReply>(), scope.key, outcome, routeStatus, dialect);
      }),
    );
  }

  /**
   * A replay of a record this instance has replayed before needs no database. A first-time request
   * on a @OneStatement route is tried in one statement; everything else, and whatever that statement
   * did not settle, takes the transactional path.
   */
  private async outcomeOf(request: KeyedRequest): Promise<Outcome> {
    const known = this.replayCache.get(request.scope);
    if (known) return this.replay(request, known);
    if (request.oneStatement) {
      const outcome = await this.executeInOneStatement(request);
      if (outcome) return outcome;
    }
    return this.executeOnce(request);
  }

  /**
   * Plans the handler without a transaction, then claims, makes its effect and records its response
   * in one statement: one round trip. A key already taken by a live record is replayed from what the
   * same statement read. Undefined when that settled nothing and left nothing behind: the handler
   * refused, the effect was refused (the statement undid itself), the key's record is expired or
   * committed while we waited on it, or the client subscribes to the effect's event. The
   * transactional path then decides, from scratch.
   */
  private async executeInOneStatement(request: KeyedRequest): Promise<Outcome | undefined> {
    const planned = await this.effects.plan(() => this.runHandler(request.next, request.scope.key));
    if (!planned) return undefined;
    const response = this.responseTo(request, planned.result);
    const ttl = this.config.get('IDEMPOTENCY_TTL_SECONDS');
    const startedAt = performance.now();
    try {
      const settled = await this.records.claimWithEffect(request.scope, request.requestHash, ttl, request.lockWaitMs, response, planned.effect);
      if (!settled) return undefined;
      if ('taken' in settled) return settled.taken.expired ? undefined : this.replayRead(request, settled.taken, startedAt);
      this.metrics.countIdempotency('executed');
      return { response, createdAt: settled.claimedAt, replayed: false };
    } catch (error) {
      if (isEffectRefused(error)) return undefined;
      // The wait was on the key or on a row, the error does not say which: the transactional path
      // finds out without waiting its full bound a second time.
      if (isLockTimeout(error)) return this.executeOnce({ ...request, lockWaitMs: NO_MORE_WAITING_MS });
      throw error;
    }
  }

  /**
   * Replays a record just read from the database, and remembers it: committed by another request
   * before we read it, it cannot change until it expires. Only replayed records are cached: a key
   * retried once tends to be retried again. `startedAt` was taken before the read's `now()`.
   */
  private replayRead(request: KeyedRequest, record: StoredRecord, startedAt: number): Outcome {
    const outcome = this.replay(request, record);
    this.replayCache.remember(request.scope, record, startedAt, record.lifetimeMs);
    return outcome;
  }

  /** A committed record answers every request with its key: the same outcome, or 422 if the request differs. */
  private replay({ scope, requestHash }: KeyedRequest, record: CompletedRecord): Outcome {
    if (!record.requestHash.equals(requestHash)) {
      this.metrics.countIdempotency('reused');
      throw keyReused(scope.key);
    }
    this.metrics.countIdempotency('replayed');
    return { response: record.response, createdAt: record.createdAt, replayed: true };
  }

  /**
   * The happy path needs no savepoint: claim, handler and recorded response commit together. When
   * the handler refuses (a domain error), its whole transaction is rolled back, claim included, and
   * its answer is recorded under a fresh claim: the business effects are undone, the outcome kept.
   * A duplicate that claimed the key in between wins, and its recorded outcome is the answer.
   */
  private async executeOnce(request: KeyedRequest): Promise<Outcome> {
    try {
      return await this.underClaim(request, (claimedAt) => this.execute(request, claimedAt));
    } catch (error) {
      if (!(error instanceof HandlerRefused)) throw error;
      const { status, code, message, details } = error.reason;
      const body = JSON.stringify(request.dialect.errorBody({ status, code, message, details }));
      const response = { status, headers: { 'content-type': JSON_CONTENT_TYPE }, body };
      return this.underClaim(request, (claimedAt) => this.record(request, claimedAt, response));
    }
  }

  /** Claims the key in a new transaction and runs `work` under the claim, or answers from the record that holds it. */
  private underClaim(request: KeyedRequest, work: (claimedAt: Date) => Promise<Outcome>): Promise<Outcome> {
    const { scope, requestHash } = request;
    const ttl = this.config.get('IDEMPOTENCY_TTL_SECONDS');
    const lockWait = request.lockWaitMs;
    // Taken before the transaction (and its now()) begins: see ReplayCache.remember.
    const startedAt = performance.now();
    // The claim bounds the transaction's lock waits itself: no separate round trip for it.
    return this.unitOfWork.run(async () => {
      for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
        const claimedAt = await this.claimWithin(scope.key, () => this.records.claim(scope, requestHash, ttl, lockWait));
        if (claimedAt) return work(claimedAt);

        const existing = await this.records.find(scope);
        if (!existing) continue; // swept between our conflict and our read: claim again
        if (existing.expired) {
          const retakenAt = await this.claimWithin(scope.key, () => this.records.claimExpired(scope, requestHash, ttl));
          if (retakenAt) return work(retakenAt);
          continue; // another request renewed it first: read its outcome
        }
        return this.replayRead(request, existing, startedAt);
      }
      throw keyInUse(scope.key);
    });
  }

  /** Runs the handler under the claim and records what it answered; a refusal leaves the transaction. */
  private async execute(request: KeyedRequest, claimedAt: Date): Promise<Outcome> {
    let result: unknown;
    try {
      result = await this.runHandler(request.next, request.scope.key);
    } catch (error) {
      throw error instanceof DomainError ? new HandlerRefused(error) : error;
    }
    return this.record(request, claimedAt, this.responseTo(request, result));
  }

  private responseTo(request: KeyedRequest, result: unknown): StoredResponse {
    return { status: request.routeStatus, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify(result) };
  }

  /** Stores the response under the claim, then applies a sandbox fault, all before COMMIT. */
  private async record({ scope, fault }: KeyedRequest, claimedAt: Date, response: StoredResponse): Promise<Outcome> {
    await this.records.complete(scope, response);
    if (fault?.kind === 'fail-before-commit') throw new SandboxFailure();
    if (fault?.kind === 'delay') await sleep(fault.ms);
    this.metrics.countIdempotency('executed');
    return { response, createdAt: claimedAt, replayed: false };
  }

  private async runHandler(next: CallHandler, key?: string): Promise<unknown> {
    try {
      return await lastValueFrom(next.handle());
    } catch (error) {
      // Waiting for a wallet's row lock took too long: nothing is kept, the same key may retry.
      throw isLockTimeout(error) ? new ResourceBusyError(key) : error;
    }
  }

  private inTransaction<T>(work: () => Promise<T>): Promise<T> {
    return this.unitOfWork.run(async () => {
      await this.records.setLockWait(this.config.get('IDEMPOTENCY_LOCK_WAIT_MS'));
      return work();
    });
  }

  /** A claim that waited longer than IDEMPOTENCY_LOCK_WAIT_MS on a duplicate in flight is a 409. */
  private async claimWithin(key: string, claim: () => Promise<Date | null>): Promise<Date | null> {
    try {
      return await claim();
    } catch (error) {
      if (!isLockTimeout(error)) throw error;
      this.metrics.countIdempotency('in_use');
      throw keyInUse(key);
    }
  }

  private send(reply: FastifyReply, key: string, outcome: Outcome, routeStatus: number, dialect: ResponseDialect): string {
    const headers: Record<string, string> = {
      'Idempotency-Key': key,
      'Idempotency-Replayed': String(outcome.replayed),
      'Idempotency-Created-At': outcome.createdAt.toISOString(),
    };
    for (const name of REPLAYED_HEADERS) {
      const value = outcome.response.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    const { status, body } = outcome.response;
    // Nest answers with the route's status; any other recorded status goes out through the filter.
    if (status !== routeStatus) throw new PreparedResponse(status, body, headers);
    reply.headers(headers);
    return outcome.replayed && dialect.replayedSuccessBody ? dialect.replayedSuccessBody(body) : body;
  }
}

/** The handler answered with a domain error: carried out of its transaction so that rolls back. */
class HandlerRefused extends Error {
  constructor(readonly reason: DomainError) {
    super(reason.message);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
