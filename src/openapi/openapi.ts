import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, ParameterObject, SwaggerModule } from '@nestjs/swagger';
import { API_TAGS } from './api-decorators';
import { ErrorBody, FieldErrorResponse } from './error.response';

/**
 * Nest keeps a parameter's example only inside its schema (ApiParam, ApiQuery, ApiHeader and query
 * DTOs alike); Dredd and other contract testers read it from the parameter itself.
 */
function liftParameterExamples(document: OpenAPIObject): OpenAPIObject {
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      for (const parameter of (operation as { parameters?: ParameterObject[] }).parameters ?? []) {
        const schemaExample = (parameter.schema as { example?: unknown } | undefined)?.example;
        if (parameter.example === undefined && schemaExample !== undefined) parameter.example = schemaExample;
      }
    }
  }
  return document;
}

/**
 * `/docs` (Swagger UI) and `/docs-json`, generated from the controllers and DTOs. `ui: false` serves
 * the JSON alone: the UI's static files pull in an ESM-only package that Jest cannot load.
 */
export function setUpOpenApi(app: NestFastifyApplication, { ui }: { ui: boolean }): void {
  const builder = new DocumentBuilder()
    .setTitle('Ledgerline')
    .setDescription(
      'A payments and orders API whose money-moving requests are exactly-once: retry any POST with the same ' +
        'Idempotency-Key and money moves at most once, and you always learn the one true outcome. ' +
        'Money is an integer count of minor units. See docs/idempotency.md for every answer a retry can get.',
    )
    .setVersion('0.1.0')
    // Relative: the host that serves this document.
    .addServer('/', 'This service')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Secret' }, 'apiSecret')
    // addSecurity, not addBearerAuth, which would declare these tokens JWTs.
    .addSecurity('admin', { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN: an opaque token of at least 16 characters' })
    .addSecurity('clientSecret', { type: 'http', scheme: 'bearer', description: 'A client’s api_secret, alone (Stripe style)' })
    // Both headers together, or the bearer secret, on every route unless it says otherwise.
    .addSecurityRequirements({ apiKey: [], apiSecret: [] })
    .addSecurityRequirements('clientSecret');
  for (const [name, description] of Object.entries(API_TAGS)) builder.addTag(name, description);
  const config = builder.build();
  // Models named only inside a oneOf (ErrorResponse's details, StarshipErrorResponse's error), where Nest does not look.
  const document = () => liftParameterExamples(SwaggerModule.createDocument(app, config, { extraModels: [FieldErrorResponse, ErrorBody] }));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', ui });
}
