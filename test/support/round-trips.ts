import { Client } from 'pg';

/**
 * Counts the statements sent to PostgreSQL while `work` runs, by wrapping the driver's
 * Client.prototype.query: every round trip, whether TypeORM's or a named prepared statement.
 */
export async function recordStatements(work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const original = Client.prototype.query;
  Client.prototype.query = function (this: Client, ...args: Parameters<Client['query']>) {
    const [first] = args as unknown[];
    const text = typeof first === 'string' ? first : (first as { text?: string; name?: string } | undefined)?.text ?? '';
    sent.push(text.replace(/\s+/g, ' ').trim());
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as Client['query'];
  try {
    await work();
  } finally {
    Client.prototype.query = original;
  }
  return sent;
}
