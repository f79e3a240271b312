import { Credentials, Reply, TestApp } from './test-app';

/** Polls the request log until `ready` holds for its answer (entries are written off the request's path, in batches). */
export async function untilLogged(t: TestApp, who: Credentials, query: string, ready: (reply: Reply) => boolean): Promise<Reply> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reply = await t.request('GET', `/v1/requests${query}`, { headers: who.headers });
    if (ready(reply)) return reply;
    if (Date.now() > deadline) throw new Error(`the request log never showed what was expected for ${query}: ${reply.body}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}
