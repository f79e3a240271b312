import { Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleOnly, Public } from '../clients/auth.decorators';
import { AuthenticatedClient, CurrentClient } from '../clients/authenticated-client';
import { ConsoleSessions } from '../clients/console-sessions';
import { CONSOLE_HEADERS, ConsoleAssets } from './console-assets';

/**
 * The console (docs/console.md): its page and files, and its session. Signing in is an ordinary
 * client request (X-API-Key and X-API-Secret) that answers with the session cookie; from then on the
 * page calls the same JSON API with it. Off (404) where CONSOLE_ENABLED says so, and in production by default.
 */
@ApiExcludeController()
@ConsoleOnly()
@Controller('console')
export class ConsoleController {
  constructor(
    private readonly assets: ConsoleAssets,
    private readonly sessions: ConsoleSessions,
  ) {}

  @Get()
  @Public()
  page(@Res() reply: FastifyReply) {
    return this.serve('index.html', reply);
  }

  @Get(':file')
  @Public()
  file(@Param('file') file: string, @Res() reply: FastifyReply) {
    return this.serve(file, reply);
  }

  @Post('session')
  signIn(@CurrentClient() client: AuthenticatedClient, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.sessions.open(client, request, reply);
  }

  @Get('session')
  session(@CurrentClient() client: AuthenticatedClient, @Req() request: FastifyRequest) {
    return this.sessions.view(client, request);
  }

  @Delete('session')
  @HttpCode(204)
  signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.sessions.close(request, reply);
  }

  private serve(name: string, reply: FastifyReply) {
    const asset = this.assets.get(name);
    if (!asset) {
      if (name === 'index.html') throw new ServiceUnavailableException('The console is not built: npm run build');
      throw new NotFoundException();
    }
    return reply.headers(CONSOLE_HEADERS).type(asset.type).send(asset.body);
  }
}
