import { HttpReply } from './http';
import { sleep } from './load-profile';

/**
 * The client's rule from docs/idempotency.md: retry with the same key on network errors, 5xx and
 * 409 until any other answer arrives; that answer is final. 429 is retried too: a rate-limited
 * request was refused before anything ran, so retrying it is as safe.
 */
export function isFinal(status: number): boolean {
  return status < 500 && status !== 409 && status !== 429;
}

/** What the clients of one test went through, printed so a reader sees the load it held. */
export class RetryTally {
  operations = 0;
  attempts = 0;
  networkErrors = 0;
  serverErrors = 0;
  conflicts = 0;
  rateLimited = 0;

  get retries(): number {
    return this.attempts - this.operations;
  }

  toString(): string {
    return (
      `operations=${this.operations} attempts=${this.attempts} retries=${this.retries} ` +
      `network_errors=${this.networkErrors} 5xx=${this.serverErrors} 409=${this.conflicts} 429=${this.rateLimited}`
    );
  }
}

export interface RetryPolicy {
  /** Seeded: the pauses of a run come from its seed. */
  random: () => number;
  /** Bounds, so that a request that never gets a final answer fails the test with its story instead of hanging it. */
  maxAttempts: number;
  giveUpAfterMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface FinalAnswer {
  reply: HttpReply;
  attempts: number;
}

/**
 * Runs `attempt` (which sends the same logical request, with the same key) until a final answer,
 * with exponential backoff and full jitter, honouring Retry-After.
 */
export async function untilFinal(
  attempt: (attemptNumber: number) => Promise<HttpReply>,
  policy: RetryPolicy,
  tally: RetryTally,
): Promise<FinalAnswer> {
  tally.operations++;
  const startedAt = Date.now();
  let lastProblem = '';
  let attemptNumber = 0;
  while (attemptNumber < policy.maxAttempts && Date.now() - startedAt < policy.giveUpAfterMs) {
    attemptNumber++;
    tally.attempts++;
    let retryAfterMs = 0;
    try {
      const reply = await attempt(attemptNumber);
      if (isFinal(reply.status)) return { reply, attempts: attemptNumber };
      if (reply.status >= 500) tally.serverErrors++;
      else if (reply.status === 409) tally.conflicts++;
      else tally.rateLimited++;
      retryAfterMs = 1000 * (Number(reply.headers.get('retry-after')) || 0);
      lastProblem = `${reply.status} ${reply.text.slice(0, 300)}`;
    } catch (error) {
      tally.networkErrors++;
      lastProblem = describeNetworkError(error);
    }
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNumber - 1));
    await sleep(Math.max(retryAfterMs, policy.random() * ceiling));
  }
  throw new Error(`no final answer after ${attemptNumber} attempts in ${Date.now() - startedAt} ms; the last one: ${lastProblem}`);
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return `${error.name}: ${error.message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
}
