export interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown; request_id?: string };
}

export function errorEnvelope(code: string, message: string, details?: unknown): ErrorEnvelope {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
