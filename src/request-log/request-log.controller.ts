import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { ApiErrors, ApiPage } from '../openapi/api-decorators';
import { ParseRequestId } from './parse-request-id.pipe';
import { RequestLogQuery } from './dto/request-log-query.dto';
import { RequestLogEntryResponse } from './dto/request-log-entry.response';
import { RequestLogService } from './request-log.service';

@ApiTags('console')
@Controller('v1/requests')
export class RequestLogController {
  constructor(private readonly requests: RequestLogService) {}

  @Get()
  @ApiOperation({ summary: 'Your requests, newest first, kept REQUEST_LOG_TTL_SECONDS (docs/console.md)' })
  @ApiPage(RequestLogEntryResponse)
  list(@CurrentClient() client: AuthenticatedClient, @Query() query: RequestLogQuery) {
    return this.requests.list(client.id, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One request, by its X-Request-Id' })
  @ApiOkResponse({ type: RequestLogEntryResponse })
  @ApiErrors(400, 401, 404)
  get(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseRequestId) id: string) {
    return this.requests.get(client.id, id);
  }
}
