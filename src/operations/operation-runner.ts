import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OperationOutcome } from './operation';
import { Claim, OperationsRepository, PreparedCall } from './operations.repository';

export interface Exchange {
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * Makes a prepared call for a request. In production it is just the call; elsewhere the sandbox's
 * runner (src/sandbox/) may hold, fail or drop it, so that faults never sit in production's path.
 */
export abstract class OperationRunner {
  abstract run(exchange: Exchange, claim: Claim, call: PreparedCall): Promise<OperationOutcome>;
}

@Injectable()
export class DirectOperationRunner extends OperationRunner {
  constructor(private readonly operations: OperationsRepository) {
    super();
  }

  run(_exchange: Exchange, claim: Claim, call: PreparedCall): Promise<OperationOutcome> {
    return this.operations.call(claim, call);
  }
}
