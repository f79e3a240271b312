import { decodeCursor, encodeCursor, isIdentityKey, toPage } from './pagination';
import { ValidationFailedError } from './errors';

describe('pagination', () => {
  const isNumeric = (key: string) => /^\d+$/.test(key);

  it('round-trips a sort key through an opaque cursor', () => {
    const cursor = encodeCursor('12345');
    expect(cursor).not.toContain('12345');
    expect(decodeCursor(cursor, isNumeric)).toBe('12345');
    expect(decodeCursor(undefined, isNumeric)).toBeUndefined();
  });

  it('refuses a cursor that does not decode to a valid key', () => {
    expect(() => decodeCursor(encodeCursor('1; DROP TABLE x'), isNumeric)).toThrow(ValidationFailedError);
  });

  it('uses the extra row only to tell that a next page exists', () => {
    const rows = [{ id: '5' }, { id: '4' }, { id: '3' }];
    const page = toPage(rows, 2, (r) => r.id, (r) => r.id);
    expect(page.data).toEqual(['5', '4']);
    expect(decodeCursor(page.next_cursor!, isNumeric)).toBe('4');
    expect(toPage(rows, 3, (r) => r.id, (r) => r.id).next_cursor).toBeNull();
  });

  it('takes as identity keys only what a bigint holds', () => {
    expect(['1', '17', '9223372036854775807'].map(isIdentityKey)).toEqual([true, true, true]);
    expect(['0', '017', '-1', '9223372036854775808', '9999999999999999999', '1e3', ''].map(isIdentityKey)).toEqual([false, false, false, false, false, false, false]);
  });
});
