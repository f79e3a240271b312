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

/**
 * Routes that exist only in some environments: `sandbox` everywhere but production, `console` where
 * CONSOLE_ENABLED says (AppConfig). Elsewhere they answer 404 before anything else runs: no
 * credentials, key or body is looked at, so nothing tells them from an unknown route.
 */
export type RouteAvailability = 'sandbox' | 'console';
export const ROUTE_AVAILABILITY = 'ledgerline:route-availability';

export const SandboxOnly = () => SetMetadata(ROUTE_AVAILABILITY, 'sandbox' satisfies RouteAvailability);
export const ConsoleOnly = () => SetMetadata(ROUTE_AVAILABILITY, 'console' satisfies RouteAvailability);
