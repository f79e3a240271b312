import 'fastify';
import type { AuthenticatedClient } from '../clients/authenticated-client';
import type { UsedSignature } from '../clients/credentials';
import type { IdempotencyOutcome } from '../metrics/metrics.service';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on every authenticated route. */
    client?: AuthenticatedClient;
    /** The request body exactly as received (fingerprints and signatures need the bytes). */
    rawBody?: string;
    /** A signed write's signature, left by the auth guard for the operation's call to remember (migration SignaturesSeen), or UnspentSignatures when no call committed. */
    signature?: UsedSignature;
    /** Authenticated by a console session cookie rather than API credentials (the console's own requests are not logged). */
    consoleSession?: { expiresAt: Date };
    /** What the request log keeps of a request (src/request-log/): its key, as the idempotency layer read it, */
    idempotencyKey?: string;
    /** the outcome the idempotency layer decided, */
    idempotencyOutcome?: IdempotencyOutcome;
    /** the sandbox fault it carried (X-Sandbox-Fault or a fault rule), */
    sandboxFault?: string;
    /** and the body it was answered with. */
    responsePayload?: string;
  }
}
