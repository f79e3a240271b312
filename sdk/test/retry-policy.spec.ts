import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, resolveRetryPolicy } from '../src/retry-policy';

describe('retry policy', () => {
  const policy = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });

  it('draws each wait uniformly below a ceiling that doubles up to maxDelayMs (full jitter)', () => {
    const ceilings = [0, 1, 2, 3, 4, 5].map((retry) => backoffDelay(policy, retry, () => 0.999999));
    expect(ceilings.map(Math.round)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(policy, 3, () => 0.25)).toBe(200);
  });

  it('never waits less than the server asked for with Retry-After', () => {
    expect(backoffDelay(policy, 0, () => 0.5, 1000)).toBe(1000);
    expect(backoffDelay(policy, 4, () => 0.9, 500)).toBe(900);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('1')).toBe(1000);
    expect(parseRetryAfter(' 30 ')).toBe(30_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('retries only answers whose outcome may still change: 5xx and 409', () => {
    expect([500, 502, 503, 409].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404, 413, 422, 429].some(isRetryableStatus)).toBe(false);
  });

  it('fills in defaults and refuses settings that make no sense', () => {
    expect(resolveRetryPolicy()).toEqual(DEFAULT_RETRY_POLICY);
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => resolveRetryPolicy({ maxElapsedMs: -1 })).toThrow(RangeError);
    expect(() => resolveRetryPolicy({ baseDelayMs: Number.NaN })).toThrow(RangeError);
  });
});
