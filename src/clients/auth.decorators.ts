import { SetMetadata } from '@nestjs/common';

/**
 * How a route authenticates. `client` (the default): X-API-Key + X-API-Secret (or an X-Signature),
 * or `Authorization: Bearer <api_secret>`. `catfee`: the CatFee dialect's CF-ACCESS-KEY /
 * CF-ACCESS-TIMESTAMP / CF-ACCESS-SIGN request signature.
 */
export type RouteAccess = 'public' | 'admin' | 'client' | 'catfee';
export const ROUTE_ACCESS = 'ledgerline:route-access';

/** No credentials (health checks). */
export const Public = () => SetMetadata(ROUTE_ACCESS, 'public' satisfies RouteAccess);
/** `Authorization: Bearer $ADMIN_TOKEN`; the route does not exist when ADMIN_TOKEN is unset. */
export const AdminOnly = () => SetMetadata(ROUTE_ACCESS, 'admin' satisfies RouteAccess);
/** CatFee's HMAC request signature (docs/dialects.md). */
export const CatFeeSigned = () => SetMetadata(ROUTE_ACCESS, 'catfee' satisfies RouteAccess);
