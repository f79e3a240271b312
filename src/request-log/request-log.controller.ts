import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiParam } from '@nestjs/swagger';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { ApiEndpoint, ApiErrors, ApiPage, ApiTag } from '../openapi/api-decorators';
import { ParseRequestId } from './parse-request-id.pipe';
import { RequestLogQuery } from './dto/request-log-query.dto';
import { RequestLogEntryResponse } from './dto/request-log-entry.response';
import { RequestLogService } from './request-log.service';

@ApiTag('console')
@Controller('v1/requests')
export class RequestLogController {
  constructor(private readonly requests: RequestLogService) {}

  @Get()
  @ApiEndpoint({
    summary: 'Your requests, newest first',
    description:
      'Every request you made, kept REQUEST_LOG_TTL_SECONDS (7 days): method, route, status, idempotency key and outcome, sandbox fault, ' +
      'duration, and the bodies with secrets redacted. Filter by idempotency_key, status (201, or a class such as 4xx) and route. ' +
      'Entries are written in batches off the request path, so the newest may appear a moment later.',
  })
  @ApiPage(RequestLogEntryResponse)
  @ApiErrors(404)
  list(@CurrentClient() client: AuthenticatedClient, @Query() query: RequestLogQuery) {
    return this.requests.list(client.id, query);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'One request, by its X-Request-Id', description: 'One logged request of yours, by the X-Request-Id it was answered with; another client’s is 404.' })
  @ApiParam({ name: 'id', description: 'The X-Request-Id the request was answered with', schema: { type: 'string', example: '0b6f3c1e-2f0a-4b8e-9c57-3d5e2a1f4c90' } })
  @ApiOkResponse({ type: RequestLogEntryResponse })
  @ApiErrors(400, 401, 404)
  get(@CurrentClient() client: AuthenticatedClient, @Param('id', ParseRequestId) id: string) {
    return this.requests.get(client.id, id);
  }
}
