import { Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ClientsRepository } from './clients.repository';

/**
 * A signed write's signature is remembered by its operation's call, in the call's transaction. A
 * write answered without that call committing (rate limited, invalid, a busy key or wallet, a 5xx)
 * still presented its signature: it is remembered here, before the answer goes out, so that a
 * captured copy signs nothing else (CatFee's signature does not cover the query).
 */
@Injectable()
export class UnspentSignatures {
  private readonly logger = new Logger(UnspentSignatures.name);

  constructor(private readonly clients: ClientsRepository) {}

  async spend(request: FastifyRequest): Promise<void> {
    const { signature, client } = request;
    if (signature === undefined || client === undefined) return;
    request.signature = undefined;
    try {
      await this.clients.firstUseOf(client.id, signature);
    } catch (error) {
      // The answer is already decided; the database being unreachable must not turn it into another.
      this.logger.warn({ err: error, requestId: request.id }, 'could not remember the signature of a write answered without its call');
    }
  }
}
