/** The console calls the service's own JSON API, with its session cookie (same origin). */

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Told when a request answers 401: the session has ended. */
let onSignedOut: () => void = () => undefined;
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

export async function api<T>(method: string, path: string, { body, headers }: { body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (response.status === 401 && !path.startsWith('/console/session')) onSignedOut();
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, describe(error) ?? response.statusText);
  }
  return json as T;
}

function describe(error: { message?: string; details?: unknown } | undefined): string | undefined {
  if (!error?.message) return undefined;
  const fields = Array.isArray(error.details) ? (error.details as Array<{ field: string; errors: string[] }>).map((d) => `${d.field}: ${d.errors.join(', ')}`) : [];
  return [error.message, ...fields].join(' — ');
}

/** A route that does not exist on this server (an optional feature it lacks) answers 404 "Route not found". */
export const isMissingRoute = (error: unknown) => error instanceof ApiError && error.status === 404 && /route not found/i.test(error.message);

/**
 * A path with every interpolated value encoded as one segment: an id from the URL's # part can never reach
 * another route. `.` and `..` stay dot segments even encoded, so they are refused.
 */
export const route = (parts: TemplateStringsArray, ...segments: string[]): string =>
  parts.reduce((path, part, index) => {
    if (index >= segments.length) return path + part;
    if (segments[index] === '.' || segments[index] === '..') throw new Error(`"${segments[index]}" is not an id`);
    return path + part + encodeURIComponent(segments[index]);
  }, '');

export const query = (params: Record<string, string | number | undefined>) => {
  const entries = Object.entries(params).filter(([, value]) => value !== undefined && value !== '') as Array<[string, string]>;
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : '';
};
