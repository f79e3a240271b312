import { ApiError } from '../common/errors';
import { readIdempotencyKey } from './idempotency-key';

const codeOf = (carriers: Parameters<typeof readIdempotencyKey>[0]) => {
  try {
    readIdempotencyKey(carriers);
    return 'OK';
  } catch (error) {
    return (error as ApiError).code;
  }
};

describe('readIdempotencyKey', () => {
  it('reads each carrier, and none', () => {
    expect(readIdempotencyKey({ header: 'ord_abc123_1705689660' })).toBe('ord_abc123_1705689660');
    expect(readIdempotencyKey({ query: 'abc123' })).toBe('abc123');
    expect(readIdempotencyKey({ body: 'tag-1' })).toBe('tag-1');
    expect(readIdempotencyKey({})).toBeUndefined();
  });

  it('unquotes a structured-field string header before counting', () => {
    expect(readIdempotencyKey({ header: '"8e03978e-40d5-43e8-bc93-6894a57f9324"' })).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(codeOf({ header: '"abcdefg"' })).toBe('IDEMPOTENCY_KEY_TOO_SHORT');
  });

  it('bounds the header to 8-256 and the other carriers to 1-250 characters', () => {
    expect(codeOf({ header: 'x'.repeat(7) })).toBe('IDEMPOTENCY_KEY_TOO_SHORT');
    expect(codeOf({ header: 'x'.repeat(8) })).toBe('OK');
    expect(codeOf({ header: 'x'.repeat(256) })).toBe('OK');
    expect(codeOf({ header: 'x'.repeat(257) })).toBe('IDEMPOTENCY_KEY_TOO_LONG');
    expect(codeOf({ query: '' })).toBe('IDEMPOTENCY_KEY_TOO_SHORT');
    expect(codeOf({ body: 'x'.repeat(250) })).toBe('OK');
    expect(codeOf({ body: 'x'.repeat(251) })).toBe('IDEMPOTENCY_KEY_TOO_LONG');
  });

  it('accepts only visible ASCII strings', () => {
    for (const bad of ['has space', 'tab\there', 'caf\u00e9-latte', 'nul\u0000byte']) expect(codeOf({ header: bad })).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(codeOf({ body: 12345678 })).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(codeOf({ query: ['a', 'b'] })).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(codeOf({ header: ['key-one-1', 'key-two-2'] })).toBe('IDEMPOTENCY_KEY_INVALID');
  });

  it('accepts agreeing carriers and refuses disagreeing ones', () => {
    expect(readIdempotencyKey({ header: 'same-key-1', body: 'same-key-1' })).toBe('same-key-1');
    expect(codeOf({ header: 'key-one-1', query: 'key-two-2' })).toBe('IDEMPOTENCY_KEY_AMBIGUOUS');
  });
});
