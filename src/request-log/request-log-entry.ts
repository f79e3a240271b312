import type { FastifyReply, FastifyRequest } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import type { IdempotencyOutcome } from '../metrics/metrics.service';

/** One client request as the request log keeps it (docs/console.md). */
export interface RequestLogEntry {
  clientId: string;
  /** UUIDv7 of the arrival time: the log's order and its cursor. */
  entryId: string;
  requestId: string;
  method: string;
  route: string;
  path: string;
  /** null: no answer was sent (the sandbox's drop-response). */
  status: number | null;
  idempotencyKey: string | null;
  idempotencyOutcome: IdempotencyOutcome | null;
  sandboxFault: string | null;
  durationMs: number;
  requestBody: string | null;
  responseBody: string | null;
  createdAt: Date;
}

/** Bodies are kept up to this many characters, after secrets are taken out. */
export const MAX_BODY_CHARS = 16 * 1024;
const TRUNCATED = '…[truncated]';

/** Words that may name a secret somewhere in a body: only bodies holding one are parsed. */
const SECRET_WORD = /secret|signature|password|token/i;
/** Keys whose values are never kept: those ending in such a word (`secret`, `api_secret`, `access_token`; not `previous_secret_expires_at`). */
const SECRET_KEY = /(secret|signature|password|token)s?$/i;

/**
 * A body as the log may keep it: every value under a key that names a secret replaced, then cut to
 * MAX_BODY_CHARS. Only bodies that mention such a key are parsed; one that does and is not JSON is
 * not kept at all.
 */
export function keepableBody(body: string | null): string | null {
  if (body === null || body === '') return null;
  let kept = body;
  if (SECRET_WORD.test(body)) {
    try {
      kept = JSON.stringify(JSON.parse(body, (key, value: unknown) => (SECRET_KEY.test(key) ? '[redacted]' : value)));
    } catch {
      return '[not kept: the body names a secret and is not JSON]';
    }
  }
  return kept.length > MAX_BODY_CHARS ? kept.slice(0, MAX_BODY_CHARS - TRUNCATED.length) + TRUNCATED : kept;
}

/** The entry for an answered (or, with `answered: false`, dropped) request of an authenticated client. */
export function entryOf(request: FastifyRequest, reply: FastifyReply, { answered }: { answered: boolean }): RequestLogEntry | undefined {
  const client = request.client;
  if (!client) return undefined;
  const durationMs = reply.elapsedTime;
  const arrivedAt = Date.now() - durationMs;
  return {
    clientId: client.id,
    entryId: uuidv7({ msecs: Math.floor(arrivedAt) }),
    requestId: request.id,
    method: request.method,
    route: request.routeOptions.url ?? request.url,
    path: request.url,
    status: answered ? reply.statusCode : null,
    idempotencyKey: request.idempotencyKey ?? null,
    idempotencyOutcome: request.idempotencyOutcome ?? null,
    sandboxFault: request.sandboxFault ?? null,
    durationMs,
    // Kept as received; secrets are taken out when the batch is written, off the request's path.
    requestBody: request.rawBody ?? null,
    responseBody: answered ? (request.responsePayload ?? null) : null,
    createdAt: new Date(arrivedAt),
  };
}
