import { Injectable } from '@nestjs/common';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { isUUID } from 'class-validator';
import { ForbiddenError, UnauthenticatedError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { Operation } from '../operations/operation';
import { AuthenticatedClient } from './authenticated-client';
import { ClientsRepository } from './clients.repository';
import { hashSecret } from './credentials';

/** The console's session cookie: `<client id>.<token>`; only the token's SHA-256 is stored. */
export const SESSION_COOKIE = 'ledgerline_console';

export interface ConsoleSessionView {
  client: AuthenticatedClient;
  expires_at: string;
}

/** Methods that change nothing: every other one, under a session, must come from the console's own origin. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Console sign-in (docs/console.md): a session is one more credential the auth guard accepts, scoped
 * to the client that opened it with its API key and secret. The cookie is HttpOnly, SameSite=Strict
 * and, over https, Secure; a write under it must also carry an Origin of this host (CSRF).
 */
@Injectable()
export class ConsoleSessions {
  constructor(
    private readonly config: AppConfig,
    private readonly clients: ClientsRepository,
  ) {}

  /** Whether the request carries no API credentials but a console session cookie. */
  offers(request: FastifyRequest): boolean {
    const { headers } = request;
    return this.config.consoleEnabled && headers['x-api-key'] === undefined && headers.authorization === undefined && headers.cookie?.includes(`${SESSION_COOKIE}=`) === true;
  }

  async authenticate(request: FastifyRequest): Promise<AuthenticatedClient> {
    const session = sessionOf(request);
    const found = session && (await this.clients.findSession(session.clientId, session.tokenHash));
    if (!found) throw new UnauthenticatedError('The console session has ended; sign in again');
    if (!SAFE_METHODS.has(request.method) && !isSameOrigin(request)) {
      throw new ForbiddenError('A write under a console session must come from the console itself (Origin of this host)');
    }
    request.consoleSession = { expiresAt: found.expires_at };
    return { id: found.id, name: found.name };
  }

  /**
   * Prepares a session for the client (`create_console_session`); the cookie is set once it exists.
   * Only the API key and secret open one: a session that could open the next would outlive its TTL and sign-out.
   */
  open(client: AuthenticatedClient, request: FastifyRequest, reply: FastifyReply): Operation {
    if (request.consoleSession) throw new UnauthenticatedError('Sign in with the API key and secret: a console session cannot open another');
    const token = randomBytes(32).toString('base64url');
    const ttlSeconds = this.config.get('CONSOLE_SESSION_TTL_SECONDS');
    const createdAt = new Date();
    const expiresAt = new Date(createdAt.getTime() + ttlSeconds * 1000);
    const cookie = serializeCookie(SESSION_COOKIE, `${client.id}.${token}`, { ...cookieAttributes(request), maxAge: ttlSeconds });
    const view: ConsoleSessionView = { client, expires_at: expiresAt.toISOString() };
    return new Operation('create_console_session', { token_hash: hashSecret(token), created_at: createdAt, expires_at: expiresAt }, view).onExecuted(() => {
      void reply.header('set-cookie', cookie);
    });
  }

  /** Ends the session the request carries, if any, and clears its cookie. */
  async close(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const session = sessionOf(request);
    if (session) await this.clients.deleteSession(session.clientId, session.tokenHash);
    void reply.header('set-cookie', serializeCookie(SESSION_COOKIE, '', { ...cookieAttributes(request), maxAge: 0 }));
  }

  view(client: AuthenticatedClient, request: FastifyRequest): ConsoleSessionView {
    if (!request.consoleSession) throw new UnauthenticatedError('Not signed in to the console');
    return { client, expires_at: request.consoleSession.expiresAt.toISOString() };
  }
}

function sessionOf(request: FastifyRequest): { clientId: string; tokenHash: Buffer } | undefined {
  const value = parseCookies(request.headers.cookie ?? '')[SESSION_COOKIE];
  const [clientId, token, ...rest] = (value ?? '').split('.');
  if (rest.length > 0 || !isUUID(clientId) || !/^[A-Za-z0-9_-]{43}$/.test(token ?? '')) return undefined;
  return { clientId: clientId.toLowerCase(), tokenHash: hashSecret(token) };
}

/** A read under a session: the console's own polling, which the request log leaves out. */
export function isConsoleRead(request: FastifyRequest): boolean {
  return request.consoleSession !== undefined && SAFE_METHODS.has(request.method);
}

/** Over https, directly or as a proxy in front says: claiming it only makes the cookie and the Origin check stricter. */
function cameOverHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
}

function cookieAttributes(request: FastifyRequest) {
  return { httpOnly: true, sameSite: 'strict' as const, secure: cameOverHttps(request), path: '/' };
}

function isSameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    // The Host header read with the origin's scheme, so that a default port compares equal either way.
    const sent = new URL(origin);
    // A page over http (which a network attacker can serve) never writes to the service over https.
    // The reverse is a proxy ending TLS without saying so, and the origin is then the stricter one.
    if (cameOverHttps(request) && sent.protocol !== 'https:') return false;
    return sent.host === new URL(`${sent.protocol}//${request.headers.host}`).host;
  } catch {
    return false;
  }
}
