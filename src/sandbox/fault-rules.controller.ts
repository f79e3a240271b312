import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { SandboxOnly } from '../clients/auth.decorators';
import { ApiNoContentResponse } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { PageQuery } from '../common/pagination';
import { ParseId } from '../common/parse-id.pipe';
import { ApiEndpoint, ApiErrors, ApiIdempotentPost, ApiIdParam, ApiPage, ApiTag } from '../openapi/api-decorators';
import { CreateFaultRuleDto } from './dto/create-fault-rule.dto';
import { FaultRuleResponse } from './dto/fault-rule.response';
import { FaultRulesService } from './fault-rules.service';

/** Sandbox only: in production these routes do not exist (404). */
@ApiTag('console')
@SandboxOnly()
@Controller('v1/sandbox/fault-rules')
export class FaultRulesController {
  constructor(private readonly rules: FaultRulesService) {}

  @Post()
  @ApiEndpoint({
    summary: 'Arm a fault for your next matching keyed requests, or payouts',
    description:
      'Your next `times` keyed requests matching `endpoint` and `key_prefix` get `fault` as if they had sent X-Sandbox-Fault, ' +
      'on whichever instance they land (each spent exactly once); `rail-reject` makes the sandbox rail reject your next payouts. Not in production (404).',
  })
  @ApiIdempotentPost(FaultRuleResponse, { required: false, body: CreateFaultRuleDto })
  create(@CurrentClient() client: AuthenticatedClient, @Body() dto: CreateFaultRuleDto) {
    return this.rules.create(client.id, dto);
  }

  @Get()
  @ApiEndpoint({ summary: 'Your fault rules, newest first', description: 'Every fault rule you armed, with what remains of it (0 once spent), newest first. Not in production (404).' })
  @ApiPage(FaultRuleResponse)
  @ApiErrors(404)
  list(@CurrentClient() client: AuthenticatedClient, @Query() page: PageQuery) {
    return this.rules.list(client.id, page);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({ summary: 'Disarm and forget a fault rule', description: 'Deletes one of your fault rules, spent or not; what it already did stays done. Not in production (404).' })
  @ApiIdParam('fault rule')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 403, 404)
  delete(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    return this.rules.delete(client.id, id);
  }
}
