import 'fastify';
import type { AuthenticatedClient } from '../clients/authenticated-client';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on every authenticated route. */
    client?: AuthenticatedClient;
    /** The request body exactly as received (fingerprints and signatures need the bytes). */
    rawBody?: string;
  }
}
