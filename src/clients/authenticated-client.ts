import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export interface AuthenticatedClient {
  id: string;
  name: string;
}

/** The client (tenant) the request was authenticated as; every query is scoped by its id. */
export const CurrentClient = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedClient => {
  const client = ctx.switchToHttp().getRequest<FastifyRequest>().client;
  if (!client) throw new Error('CurrentClient used on a route that is not authenticated');
  return client;
});
