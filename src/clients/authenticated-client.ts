import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export interface AuthenticatedClient {
  id: string;
  name: string;
}

/**
 * The operator, as the scope of its own idempotency keys: the admin API's money-moving routes
 * (POST /v1/admin/wallets/:id/credits) claim their keys under it. No client has this id.
 */
export const OPERATOR: AuthenticatedClient = { id: '00000000-0000-0000-0000-000000000000', name: 'operator' };

/** The client (tenant) the request was authenticated as; every query is scoped by its id. */
export const CurrentClient = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedClient => {
  const client = ctx.switchToHttp().getRequest<FastifyRequest>().client;
  if (!client) throw new Error('CurrentClient used on a route that is not authenticated');
  return client;
});
