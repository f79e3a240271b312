import { CanActivate, ExecutionContext, Injectable, NotFoundException } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { SignatureReusedError, UnauthenticatedError } from '../common/errors';
import { isWrite } from '../idempotency/idempotency.decorators';
import { AppConfig } from '../config/app-config';
import { ROUTE_ACCESS, ROUTE_AVAILABILITY, RouteAccess, RouteAvailability } from './auth.decorators';
import { ClientsRepository } from './clients.repository';
import { ConsoleSessions } from './console-sessions';
import { CredentialsCache, VerifiableCredentials } from './credentials-cache';
import { FailedAuthThrottle } from './failed-auth-throttle';
import { Client } from './client.entity';
import { hashSecret, secretsMatch, signatureMatches, tokensMatch, unsealSecret, UsedSignature } from './credentials';

/** Compared against when the key is unknown, so that both failures cost the same. */
const NOBODYS_HASH = Buffer.alloc(32);

/** How far a signed request's timestamp may be from now, either way. */
const SIGNATURE_WINDOW_MS = 300_000;

interface SignatureScheme {
  apiKey: string;
  timestamp: string;
  signature: string;
  encoding: 'base64' | 'hex';
  /** What was signed, given the request's timestamp. */
  message: (timestamp: string) => string;
}

/** Global guard: every route needs client credentials unless marked otherwise, and exists only where it is available (auth.decorators.ts). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly clients: ClientsRepository,
    private readonly cache: CredentialsCache,
    private readonly throttle: FailedAuthThrottle,
    private readonly sessions: ConsoleSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = [context.getHandler(), context.getClass()];
    const availability = this.reflector.getAllAndOverride<RouteAvailability | undefined>(ROUTE_AVAILABILITY, route);
    if (availability !== undefined && !this.available(availability)) throw new NotFoundException();
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, route) ?? 'client';
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (access === 'public') return true;
    if (access === 'admin') return this.checkAdmin(request);
    await this.throttle.refuseIfBlocked(request.ip);
    try {
      return await this.authenticate(access, request);
    } catch (error) {
      if (error instanceof UnauthenticatedError) await this.throttle.failed(request.ip);
      throw error;
    }
  }

  private available(availability: RouteAvailability): boolean {
    return availability === 'sandbox' ? this.config.sandboxEnabled : this.config.consoleEnabled;
  }

  private async authenticate(access: Exclude<RouteAccess, 'public' | 'admin'>, request: FastifyRequest): Promise<boolean> {
    switch (access) {
      case 'catfee':
        request.client = await this.verifyCatFeeSignature(request);
        return true;
      case 'client':
        request.client = await this.verifySecret(request);
        return true;
    }
  }

  /**
   * The admin token is the one credential short enough to guess (16 characters at least; a client's
   * secret is 256 random bits), so each attempt is counted as failed before it is compared: a burst of
   * guesses sent at once cannot all pass the check before any is counted. The operator sends few
   * requests, so counting every one of them for a moment costs nothing.
   */
  private async checkAdmin(request: FastifyRequest): Promise<boolean> {
    const adminToken = this.config.get('ADMIN_TOKEN');
    // With no ADMIN_TOKEN the admin API is off: it answers as if it did not exist.
    if (!adminToken) throw new NotFoundException();
    const succeeded = await this.throttle.countFirst(request.ip);
    const token = bearerToken(request);
    if (token === undefined || !tokensMatch(token, adminToken)) {
      throw new UnauthenticatedError('Missing or invalid admin token');
    }
    await succeeded();
    return true;
  }

  /**
   * X-API-Key with either X-API-Secret, or a signature that proves the secret without sending it:
   * X-Timestamp and X-Signature = hex HMAC-SHA256(secret, timestamp, method, path with query,
   * idempotency key and raw body, joined by newlines). The key is signed too, so a captured request
   * cannot be sent again under a new key to move money again. Without X-API-Key,
   * `Authorization: Bearer <api_secret>` (Stripe style): the secret alone names its client. Or, with none of these, a console session.
   */
  private async verifySecret(request: FastifyRequest) {
    // The console's own requests: its session cookie, where no API credentials are sent (docs/console.md).
    if (this.sessions.offers(request) && request.headers['x-signature'] === undefined) return this.sessions.authenticate(request);
    if (request.headers['x-signature'] !== undefined) {
      return this.verifySignature(request, {
        apiKey: 'x-api-key',
        timestamp: 'x-timestamp',
        signature: 'x-signature',
        encoding: 'hex',
        message: (timestamp) => [timestamp, request.method, request.url, signedKey(request), request.rawBody ?? ''].join('\n'),
      });
    }
    const apiKey = headerValue(request, 'x-api-key');
    const bearer = apiKey === undefined ? bearerToken(request) : undefined;
    if (bearer !== undefined) return this.verifyBearerSecret(bearer);
    const secret = headerValue(request, 'x-api-secret');
    const credentials = await this.lookUp(apiKey);
    // An unknown key costs the same compare as a wrong secret: the answer's timing tells nothing.
    const matches = secretsMatch(secret ?? '', credentials?.secretHash ?? NOBODYS_HASH);
    if (!credentials || secret === undefined || !matches) throw new UnauthenticatedError();
    return credentials.client;
  }

  /**
   * Found by the SHA-256 of the secret (an indexed lookup, migration SecretLookup), so no stored
   * secret is compared with what was sent: a wrong one simply finds nobody. The admin token is no
   * client's secret: here it finds nobody, as a client's secret finds nothing on the admin routes.
   */
  private async verifyBearerSecret(secret: string) {
    const secretHash = hashSecret(secret);
    const cacheKey = `secret ${secretHash.toString('hex')}`;
    const credentials = await this.cached(cacheKey, () => this.clients.findBySecretHash(secretHash));
    if (!credentials) throw new UnauthenticatedError();
    return credentials.client;
  }

  /** CatFee: CF-ACCESS-SIGN = base64 HMAC-SHA256(secret, timestamp + method + path), the path without its query. */
  private verifyCatFeeSignature(request: FastifyRequest) {
    return this.verifySignature(request, {
      apiKey: 'cf-access-key',
      timestamp: 'cf-access-timestamp',
      signature: 'cf-access-sign',
      encoding: 'base64',
      message: (timestamp) => `${timestamp}${request.method}${request.url.split('?')[0]}`,
    });
  }

  /**
   * A signature over a recent timestamp, which authenticates one request: within its window it is
   * accepted again only for the identical request (a retry: a read, or a write under its idempotency
   * key, which replays), on every instance. A write's signature
   * is remembered by its operation's own call (no extra round trip); a read's here.
   */
  private async verifySignature(request: FastifyRequest, scheme: SignatureScheme) {
    const timestamp = headerValue(request, scheme.timestamp);
    const signature = headerValue(request, scheme.signature);
    const credentials = await this.lookUp(headerValue(request, scheme.apiKey));
    if (!credentials?.secretSealed || timestamp === undefined || signature === undefined) throw new UnauthenticatedError();
    if (!/^\d{4}-\d\d-\d\dT/.test(timestamp) || !(Math.abs(Date.now() - Date.parse(timestamp)) <= SIGNATURE_WINDOW_MS)) {
      throw new UnauthenticatedError(`${scheme.timestamp} must be an ISO-8601 time within 300 seconds of now`);
    }
    const secret = unsealSecret(credentials.secretSealed, this.config.credentialsKey);
    if (!signatureMatches(secret, scheme.message(timestamp), signature, scheme.encoding)) throw new UnauthenticatedError();
    const used: UsedSignature = { bytes: Buffer.from(signature, scheme.encoding), requestHash: signedRequestIdentity(request) };
    if (isWrite(request.method)) request.signature = used;
    else if (!(await this.clients.firstUseOf(credentials.client.id, used))) throw new SignatureReusedError();
    return credentials.client;
  }

  /** The credentials of an API key. */
  private lookUp(apiKey: string | undefined): Promise<VerifiableCredentials | undefined> {
    if (apiKey === undefined) return Promise.resolve(undefined);
    return this.cached(`key ${apiKey}`, () => this.clients.findByApiKey(apiKey));
  }

  /** From the cache of recent lookups (found or not), else the database. */
  private async cached(cacheKey: string, find: () => Promise<Client | null>): Promise<VerifiableCredentials | undefined> {
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    const client = await find();
    if (!client) {
      this.cache.set(cacheKey, null);
      return undefined;
    }
    const credentials = { client: { id: client.id, name: client.name }, secretHash: client.secretHash, secretSealed: client.secretSealed };
    this.cache.set(cacheKey, credentials);
    return credentials;
  }
}

/**
 * What makes a signed request the same request, so that its signature may sign it again: method, path
 * with query, idempotency key, raw body. A write without a key is never the same request twice (sent
 * again, it would run again), so its signature signs it once.
 */
function signedRequestIdentity(request: FastifyRequest): Buffer {
  const key = signedKey(request);
  if (key === '' && isWrite(request.method)) return randomBytes(32);
  return createHash('sha256').update([request.method, request.url, key, request.rawBody ?? ''].join('\n')).digest();
}

/** The idempotency key as a client signs it: whichever carrier holds it, as sent, or empty. */
function signedKey(request: FastifyRequest): string {
  const header = request.headers['idempotency-key'];
  if (typeof header === 'string') return header;
  const carrier = (request.query as Record<string, unknown> | undefined)?.client_order_id ?? (request.body as Record<string, unknown> | undefined)?.accessTag;
  return typeof carrier === 'string' ? carrier : '';
}

/** The token of exactly "Authorization: Bearer <token>": nothing before, between or after. */
function bearerToken(request: FastifyRequest): string | undefined {
  return /^Bearer ([\x21-\x7e]+)$/.exec(request.headers.authorization ?? '')?.[1];
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 512 ? value : undefined;
}
