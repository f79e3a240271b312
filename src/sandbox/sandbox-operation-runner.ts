import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimitedError } from '../common/errors';
import { UnitOfWork } from '../database/transaction';
import { OperationOutcome } from '../operations/operation';
import { Exchange, OperationRunner } from '../operations/operation-runner';
import { Claim, OperationsRepository, PreparedCall } from '../operations/operations.repository';
import { parseSandboxFault, ResponseDropped, SandboxFailure, SandboxFault } from './sandbox-fault';

/** Faulted requests a client may have in flight in one process: a delay holds a pooled connection, so more would starve others. */
const MAX_FAULTS_IN_FLIGHT = 2;

/** The call made something happen (rather than answer from a record): the moment a fault acts on. */
const isFirstExecution = (outcome: OperationOutcome) => outcome.outcome === 'executed' || outcome.outcome === 'refused';

/**
 * Outside production: `X-Sandbox-Fault` on a keyed request (docs/idempotency.md, "Trying every failure yourself").
 * A fault that acts before COMMIT opens a transaction around the one call, so it can hold it open
 * (`delay`) or roll it back (`fail-before-commit`); `drop-response` lets the call commit and then
 * loses the answer. A replay answers normally.
 */
@Injectable()
export class SandboxOperationRunner extends OperationRunner {
  private readonly faultsInFlight = new Map<string, number>();

  constructor(
    private readonly operations: OperationsRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {
    super();
  }

  async run(exchange: Exchange, claim: Claim, call: PreparedCall): Promise<OperationOutcome> {
    const fault = claim.key === null ? undefined : parseSandboxFault(exchange.request.headers['x-sandbox-fault']);
    if (fault === undefined) return this.operations.call(claim, call);
    const inFlight = this.faultsInFlight.get(claim.clientId) ?? 0;
    if (inFlight >= MAX_FAULTS_IN_FLIGHT) {
      throw new RateLimitedError(`At most ${MAX_FAULTS_IN_FLIGHT} requests with X-Sandbox-Fault in flight; retry when one has answered`, 1);
    }
    this.faultsInFlight.set(claim.clientId, inFlight + 1);
    try {
      return await this.withFault(exchange, claim, call, fault);
    } finally {
      const left = (this.faultsInFlight.get(claim.clientId) ?? 1) - 1;
      if (left === 0) this.faultsInFlight.delete(claim.clientId);
      else this.faultsInFlight.set(claim.clientId, left);
    }
  }

  private async withFault({ request, reply }: Exchange, claim: Claim, call: PreparedCall, fault: SandboxFault): Promise<OperationOutcome> {
    if (fault.kind === 'drop-response') {
      const outcome = await this.operations.call(claim, call);
      if (!isFirstExecution(outcome)) return outcome;
      // Committed; now lose the answer, as a dropped connection would.
      reply.hijack();
      request.raw.socket?.destroy();
      throw new ResponseDropped();
    }
    return this.unitOfWork.run(async () => {
      const outcome = await this.operations.call(claim, call, { inTransaction: true });
      if (!isFirstExecution(outcome)) return outcome;
      if (fault.kind === 'fail-before-commit') throw new SandboxFailure();
      await sleep(fault.ms);
      return outcome;
    });
  }
}
