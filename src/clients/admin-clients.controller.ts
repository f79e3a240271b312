import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-decorators';
import { AdminOnly } from './auth.decorators';
import { ClientsService, IssuedClient } from './clients.service';
import { CreateClientDto } from './dto/create-client.dto';

@ApiTags('admin')
@ApiBearerAuth('admin')
@Controller('v1/admin/clients')
@AdminOnly()
export class AdminClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a client (tenant) and its API credentials; the secret is shown once', security: [{ admin: [] }] })
  @ApiCreatedResponse({ type: IssuedClient })
  @ApiErrors(400, 401)
  create(@Body() dto: CreateClientDto): Promise<IssuedClient> {
    return this.clients.create(dto.name);
  }
}
