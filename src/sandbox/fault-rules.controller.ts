import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { PageQuery } from '../common/pagination';
import { ParseId } from '../common/parse-id.pipe';
import { AppConfig } from '../config/app-config';
import { ApiErrors, ApiIdempotentPost, ApiPage } from '../openapi/api-decorators';
import { CreateFaultRuleDto } from './dto/create-fault-rule.dto';
import { FaultRuleResponse } from './dto/fault-rule.response';
import { FaultRulesService } from './fault-rules.service';

/** Sandbox only: in production these routes do not exist (404). */
@ApiTags('console')
@Controller('v1/sandbox/fault-rules')
export class FaultRulesController {
  constructor(
    private readonly rules: FaultRulesService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Arm a fault for your next matching keyed requests, or payouts (docs/console.md); not in production' })
  @ApiIdempotentPost(FaultRuleResponse, { required: false })
  create(@CurrentClient() client: AuthenticatedClient, @Body() dto: CreateFaultRuleDto) {
    this.refuseInProduction();
    return this.rules.create(client.id, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Your fault rules, armed and spent, newest first' })
  @ApiPage(FaultRuleResponse)
  list(@CurrentClient() client: AuthenticatedClient, @Query() page: PageQuery) {
    this.refuseInProduction();
    return this.rules.list(client.id, page);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Disarm and forget a fault rule' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 404)
  delete(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseId()) id: string) {
    this.refuseInProduction();
    return this.rules.delete(client.id, id);
  }

  private refuseInProduction(): void {
    if (!this.config.sandboxEnabled) throw new NotFoundException();
  }
}
