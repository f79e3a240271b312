import { once } from 'node:events';
import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ledgerline, LedgerlineError } from '../src';

/** A server on a free loopback port that answers every request with `answer` and keeps what it received. */
async function server(answer: (response: ServerResponse) => void): Promise<{ url: string; received: IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const received: IncomingHttpHeaders[] = [];
  const http: Server = createServer((request, response) => {
    received.push(request.headers);
    request.resume();
    answer(response);
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => http.close(() => resolve())) };
}

describe('a redirect', () => {
  it.each([301, 302, 307, 308])('%i is answered, not followed: the credentials never reach where it points', async (status) => {
    const elsewhere = await server((response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x"}'));
    const redirecting = await server((response) => response.writeHead(status, { location: `${elsewhere.url}/v1/transfers` }).end());
    try {
      const api = new Ledgerline({ baseUrl: redirecting.url, apiKey: 'ak_test', apiSecret: 'sk_not_for_elsewhere' });
      const error = await api.createTransfer({ from_wallet_id: 'a', to_wallet_id: 'b', amount: 1 }).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(LedgerlineError);
      expect(error).toMatchObject({ status, code: 'HTTP_ERROR', retryable: false });
      expect((error as LedgerlineError).message).toContain(`a redirect to ${elsewhere.url}/v1/transfers, which is not followed`);
      expect(redirecting.received).toHaveLength(1);
      expect(redirecting.received[0]['x-api-secret']).toBe('sk_not_for_elsewhere');
      expect(elsewhere.received).toEqual([]);
    } finally {
      await Promise.all([elsewhere.close(), redirecting.close()]);
    }
  });
});
