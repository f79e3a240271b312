import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimitedError } from '../common/errors';
import { UnitOfWork } from '../database/transaction';
import { OperationOutcome } from '../operations/operation';
import { Exchange, OperationRunner } from '../operations/operation-runner';
import { Claim, OperationsRepository, PreparedCall } from '../operations/operations.repository';
import { RequestLog } from '../request-log/request-log';
import { FaultRulesService } from './fault-rules.service';
import { nameOf, parseSandboxFault, ResponseDropped, SandboxFailure, SandboxFault } from './sandbox-fault';

/** Faulted requests a client may have in flight in one process: a delay holds a pooled connection, so more would starve others. */
const MAX_FAULTS_IN_FLIGHT = 2;

/** The call made something happen (rather than answer from a record): the moment a fault acts on. */
const isFirstExecution = (outcome: OperationOutcome) => outcome.outcome === 'executed' || outcome.outcome === 'refused';

/**
 * Outside production: `X-Sandbox-Fault` on a keyed request (docs/idempotency.md, "Trying every failure
 * yourself"), or else a fault rule armed for it (docs/console.md). A fault that acts before COMMIT
 * opens a transaction around the one call, so it can hold it open (`delay`) or roll it back
 * (`fail-before-commit`); `drop-response` lets the call commit and then loses the answer. A replay
 * answers normally.
 */
@Injectable()
export class SandboxOperationRunner extends OperationRunner {
  private readonly faultsInFlight = new Map<string, number>();

  constructor(
    private readonly operations: OperationsRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly faultRules: FaultRulesService,
    private readonly requestLog: RequestLog,
  ) {
    super();
  }

  async run(exchange: Exchange, claim: Claim, call: PreparedCall): Promise<OperationOutcome> {
    const key = claim.key;
    if (key === null) return this.operations.call(claim, call);
    const asked = parseSandboxFault(exchange.request.headers['x-sandbox-fault']);
    if (asked) {
      if (!this.takeSlot(claim.clientId)) {
        throw new RateLimitedError(`At most ${MAX_FAULTS_IN_FLIGHT} requests with a sandbox fault in flight; retry when one has answered`, 1);
      }
      return this.faulted(exchange, claim, call, asked);
    }
    // Known to have no rule armed: no round trip. A rule's fault waits for a free slot rather than
    // refusing a request that asked for nothing: the rule keeps its use.
    if (!this.faultRules.mayApply(claim) || !this.takeSlot(claim.clientId)) return this.operations.call(claim, call);
    const ruled = await this.faultRules.spendFor(exchange.request, claim, key).catch((error: unknown) => {
      this.releaseSlot(claim.clientId);
      throw error;
    });
    if (ruled) return this.faulted(exchange, claim, call, ruled);
    this.releaseSlot(claim.clientId);
    return this.operations.call(claim, call);
  }

  /** Makes the call under `fault`, in a slot already taken. */
  private async faulted(exchange: Exchange, claim: Claim, call: PreparedCall, fault: SandboxFault): Promise<OperationOutcome> {
    exchange.request.sandboxFault = nameOf(fault);
    try {
      return await this.withFault(exchange, claim, call, fault);
    } finally {
      this.releaseSlot(claim.clientId);
    }
  }

  private takeSlot(clientId: string): boolean {
    const inFlight = this.faultsInFlight.get(clientId) ?? 0;
    if (inFlight >= MAX_FAULTS_IN_FLIGHT) return false;
    this.faultsInFlight.set(clientId, inFlight + 1);
    return true;
  }

  private releaseSlot(clientId: string): void {
    const left = (this.faultsInFlight.get(clientId) ?? 1) - 1;
    if (left === 0) this.faultsInFlight.delete(clientId);
    else this.faultsInFlight.set(clientId, left);
  }

  private async withFault({ request, reply }: Exchange, claim: Claim, call: PreparedCall, fault: SandboxFault): Promise<OperationOutcome> {
    if (fault.kind === 'drop-response') {
      const outcome = await this.operations.call(claim, call);
      if (!isFirstExecution(outcome)) return outcome;
      // Committed; now lose the answer, as a dropped connection would. The interceptor never sees this outcome.
      request.idempotencyOutcome = 'executed';
      reply.hijack();
      request.raw.socket?.destroy();
      this.requestLog.recordDropped(request, reply);
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
