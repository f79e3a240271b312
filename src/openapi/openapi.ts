import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * `/docs` (Swagger UI) and `/docs-json`, generated from the controllers and DTOs. `ui: false` serves
 * the JSON alone: the UI's static files pull in an ESM-only package that Jest cannot load.
 */
export function setUpOpenApi(app: NestFastifyApplication, { ui }: { ui: boolean }): void {
  const config = new DocumentBuilder()
    .setTitle('Ledgerline')
    .setDescription(
      'A payments and orders API whose money-moving requests are exactly-once: retry any POST with the same ' +
        'Idempotency-Key and money moves at most once, and you always learn the one true outcome. ' +
        'Money is an integer count of minor units. See docs/idempotency.md for every answer a retry can get.',
    )
    .setVersion('0.1.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Secret' }, 'apiSecret')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' }, 'admin')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A client’s api_secret, alone (Stripe style)' }, 'clientSecret')
    // Both headers together, or the bearer secret, on every route unless it says otherwise.
    .addSecurityRequirements({ apiKey: [], apiSecret: [] })
    .addSecurityRequirements('clientSecret')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), { jsonDocumentUrl: 'docs-json', ui });
}
