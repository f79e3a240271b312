import { keepableBody, MAX_BODY_CHARS } from './request-log-entry';

describe('keepableBody', () => {
  it('keeps a body without secrets as it is', () => {
    expect(keepableBody('{"amount": 100}')).toBe('{"amount": 100}');
    expect(keepableBody(null)).toBeNull();
    expect(keepableBody('')).toBeNull();
  });

  it('replaces every value under a key naming a secret, at any depth', () => {
    const body = JSON.stringify({ id: 'w1', secret: 'whsec_abc', nested: { api_secret: 'sk_1', list: [{ signature: 'v1,xyz' }] }, url: 'https://x/secret-hook' });
    const kept = JSON.parse(keepableBody(body)!);
    expect(kept).toEqual({ id: 'w1', secret: '[redacted]', nested: { api_secret: '[redacted]', list: [{ signature: '[redacted]' }] }, url: 'https://x/secret-hook' });
    expect(keepableBody(body)).not.toMatch(/whsec_abc|sk_1|v1,xyz/);
  });

  it('keeps a value whose key only mentions a secret in passing', () => {
    const body = JSON.stringify({ secret: 'whsec_abc', previous_secret_expires_at: '2026-12-02T00:00:00.000Z', accessToken: 't' });
    expect(JSON.parse(keepableBody(body)!)).toEqual({ secret: '[redacted]', previous_secret_expires_at: '2026-12-02T00:00:00.000Z', accessToken: '[redacted]' });
  });

  it('keeps nothing of a body that names a secret and cannot be parsed', () => {
    expect(keepableBody('secret=whsec_abc')).toBe('[not kept: the body names a secret and is not JSON]');
  });

  it('cuts long bodies, and says so', () => {
    const kept = keepableBody(JSON.stringify({ text: 'x'.repeat(MAX_BODY_CHARS * 2) }))!;
    expect(kept).toHaveLength(MAX_BODY_CHARS);
    expect(kept.endsWith('…[truncated]')).toBe(true);
  });
});
