import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse } from '@nestjs/swagger';
import { ApiEndpoint, ApiErrors, ApiTag } from '../openapi/api-decorators';
import { AdminOnly } from './auth.decorators';
import { ClientsService, IssuedClient } from './clients.service';
import { CreateClientDto } from './dto/create-client.dto';

@ApiTag('admin')
@ApiBearerAuth('admin')
@Controller('v1/admin/clients')
@AdminOnly()
export class AdminClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  @ApiEndpoint({
    summary: 'Create a client (tenant) and its API credentials',
    description: 'A new tenant with its API key and secret. The secret is shown only here: only its hash is stored.',
  })
  @ApiCreatedResponse({ type: IssuedClient })
  @ApiErrors(400, 404)
  create(@Body() dto: CreateClientDto): Promise<IssuedClient> {
    return this.clients.create(dto.name);
  }
}
