import type { FastifyReply } from 'fastify';

/**
 * Sets headers on the wire with the capitalisation given. Fastify lowercases the names it sets
 * (HTTP/1.1 names are case-insensitive), but some clients look them up case-sensitively: the
 * Starship guide's PHP reads `$headers['Idempotency-Replayed']`. Node keeps a name as set.
 */
export function setHeadersAsWritten(reply: FastifyReply, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) reply.raw.setHeader(name, value);
}
