import { HttpStatus, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { isUUID } from 'class-validator';
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { DomainError, NotFoundError, ValidationFailedError } from '../common/errors';
import { decodeCursor, Page, PageQuery, toPage } from '../common/pagination';
import { Operation } from '../operations/operation';
import { Claim } from '../operations/operations.repository';
import { ArmedClients } from './armed-clients';
import { CreateFaultRuleDto, RAIL_REJECT } from './dto/create-fault-rule.dto';
import { FaultRuleResponse } from './dto/fault-rule.response';
import { FaultRuleRow, FaultRulesRepository } from './fault-rules.repository';
import { faultNamed, SandboxFault } from './sandbox-fault';

/** Armed rules a client may hold at once: each is matched against its keyed requests. */
const MAX_ARMED_RULES = 20;

const RULE_REFUSALS: Record<string, DomainError> = {
  TOO_MANY_FAULT_RULES: new DomainError(
    HttpStatus.UNPROCESSABLE_ENTITY,
    'TOO_MANY_FAULT_RULES',
    `At most ${MAX_ARMED_RULES} fault rules may be armed at once; delete one or let it be spent`,
  ),
};

/**
 * Fault rules (docs/console.md): a client's next `times` matching keyed requests get a sandbox fault
 * as if they had sent X-Sandbox-Fault, on whichever instance they land; rail-reject makes the payout
 * rail reject the client's next `times` payouts.
 */
@Injectable()
export class FaultRulesService {
  constructor(
    private readonly rules: FaultRulesRepository,
    private readonly armed: ArmedClients,
    private readonly http: HttpAdapterHost,
  ) {}

  /** Prepares a rule (`create_fault_rule`); once armed, this instance knows at once, every other by the announcement. */
  create(clientId: string, dto: CreateFaultRuleDto): Operation {
    this.refuseUnknownEndpoint(dto);
    if (dto.fault === RAIL_REJECT && (dto.endpoint !== undefined || dto.key_prefix !== undefined)) {
      throw new ValidationFailedError([{ field: 'fault', errors: ['rail-reject applies to the payouts the rail settles next: it takes no endpoint or key_prefix'] }]);
    }
    const id = uuidv7();
    const createdAt = new Date();
    const view: FaultRuleResponse = {
      id,
      fault: dto.fault,
      endpoint: dto.endpoint ?? null,
      key_prefix: dto.key_prefix ?? null,
      remaining: dto.times,
      created_at: createdAt.toISOString(),
    };
    const args = {
      rule_id: id,
      fault: dto.fault,
      rule_endpoint: view.endpoint,
      key_prefix: view.key_prefix,
      times: dto.times,
      created_at: createdAt,
      max_armed: MAX_ARMED_RULES,
    };
    const operation = new Operation('create_fault_rule', args, view, RULE_REFUSALS);
    const heardBefore = this.armed.announcementsOf(clientId);
    return dto.fault === RAIL_REJECT ? operation : operation.onExecuted(() => this.armed.armedHere(clientId, heardBefore));
  }

  async list(clientId: string, page: PageQuery): Promise<Page<FaultRuleResponse>> {
    const beforeId = decodeCursor(page.cursor, (key) => isUUID(key));
    const rows = await this.rules.findPage(clientId, page.limit, beforeId);
    return toPage(rows, page.limit, (row) => row.id, presentRule);
  }

  async delete(clientId: string, id: string): Promise<void> {
    if (!(await this.rules.delete(clientId, id))) throw new NotFoundError('Fault rule');
  }

  /** Whether a rule may apply to this request; false (no round trip) when this process knows the client has none armed. */
  mayApply(claim: Claim): boolean {
    return claim.key !== null && this.armed.mayHaveArmed(claim.clientId);
  }

  /**
   * The fault a rule gives this keyed request, spending one use of it, in one round trip. A rule
   * matches by the route (`POST /api/v1/orders`) or by the key scope it shares (`POST /v1/orders`).
   */
  async spendFor(request: FastifyRequest, claim: Claim, key: string): Promise<SandboxFault | undefined> {
    const newsBefore = this.armed.newsOf(claim.clientId);
    const endpoints = [...new Set([`${request.method} ${request.routeOptions.url}`, claim.endpoint])];
    const { fault, armed } = await this.rules.spend(claim.clientId, endpoints, key);
    this.armed.settle(claim.clientId, armed, newsBefore);
    return fault === null ? undefined : faultNamed(fault);
  }

  /** A rule for a route that does not exist would wait for ever. */
  private refuseUnknownEndpoint({ endpoint }: CreateFaultRuleDto): void {
    if (endpoint === undefined) return;
    const [method, url] = endpoint.split(' ');
    if (!this.http.httpAdapter.getInstance<FastifyInstance>().hasRoute({ method: method as HTTPMethods, url })) {
      throw new ValidationFailedError([{ field: 'endpoint', errors: [`no route ${endpoint}; name a write route as its template, such as POST /v1/orders`] }]);
    }
  }
}

function presentRule(row: FaultRuleRow): FaultRuleResponse {
  return { ...row, created_at: row.created_at.toISOString() };
}
