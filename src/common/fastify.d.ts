import 'fastify';
import type { AuthenticatedClient } from '../clients/authenticated-client';
import type { UsedSignature } from '../clients/credentials';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on every authenticated route. */
    client?: AuthenticatedClient;
    /** The request body exactly as received (fingerprints and signatures need the bytes). */
    rawBody?: string;
    /** A signed write's signature, left by the auth guard for the operation's call to remember (migration SignaturesSeen). */
    signature?: UsedSignature;
  }
}
