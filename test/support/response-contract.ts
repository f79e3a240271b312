import addFormats from 'ajv-formats';
import OpenAPIBackend, { Document } from 'openapi-backend';

export interface SentResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

type Schema = Record<string, unknown>;

/**
 * In these tests, a field the document does not name is a mismatch: every object schema that lists
 * its properties is closed (a free-form object, such as metadata, lists none and stays open).
 */
function closeObjectSchemas(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjectSchemas);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Schema;
  if (schema.properties !== undefined && schema.additionalProperties === undefined) schema.additionalProperties = false;
  for (const [key, value] of Object.entries(schema)) if (key !== 'example' && key !== 'examples') closeObjectSchemas(value);
}

/**
 * The OpenAPI document as a contract on every answer the tests see: a response of a documented
 * operation must have a documented status, and its body and headers must match that status's schema.
 * Requests no operation matches (unknown routes, /docs-json, /metrics) are left alone.
 */
export class ResponseContract {
  private constructor(private readonly api: OpenAPIBackend) {}

  static async of(document: Document): Promise<ResponseContract> {
    const strict = structuredClone(document);
    closeObjectSchemas(strict.components?.schemas);
    closeObjectSchemas(strict.paths);
    const api = new OpenAPIBackend({
      definition: strict,
      // An invalid OpenAPI document fails here, before any response is judged.
      strict: true,
      quick: true,
      ignoreTrailingSlashes: false,
      customizeAjv: (ajv) => addFormats(ajv),
    });
    await api.init();
    return new ResponseContract(api);
  }

  /** The ways `response` departs from the document (none: it matches, or no operation is documented there). */
  mismatches(method: string, url: string, response: SentResponse): string[] {
    const { pathname, searchParams } = new URL(url, 'http://ledgerline.test');
    const operation = this.api.matchOperation({ method, path: pathname, query: Object.fromEntries(searchParams), headers: {} });
    if (!operation) return [];
    const where = `${method} ${operation.path} (${operation.operationId}) answered ${response.status}`;
    const statuses = Object.keys(operation.responses ?? {});
    const documented = [String(response.status), `${Math.floor(response.status / 100)}XX`, 'default'].find((s) => statuses.includes(s));
    if (!documented) return [`${where}, a status the document does not list (it lists ${statuses.join(', ')})`];

    const problems: string[] = [];
    const documentedBody = (operation.responses![documented] as { content?: Record<string, unknown> }).content?.['application/json'];
    if (response.body === '') {
      if (documentedBody) problems.push(`${where} with no body; the document describes a JSON body`);
    } else if (!documentedBody) {
      problems.push(`${where} with a body the document does not describe: ${response.body.slice(0, 200)}`);
    } else {
      let body: unknown;
      try {
        body = JSON.parse(response.body);
      } catch {
        return [`${where} with a body that is not JSON: ${response.body.slice(0, 200)}`];
      }
      const { errors } = this.api.validateResponse(body, operation, response.status);
      for (const error of errors ?? []) problems.push(`${where}: body${error.instancePath} ${error.message} ${JSON.stringify(error.params)}; body: ${response.body.slice(0, 500)}`);
    }
    const { errors } = this.api.validateResponseHeaders(response.headers, operation, { statusCode: response.status });
    for (const error of errors ?? []) problems.push(`${where}: header ${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`);
    return problems;
  }
}
