import { canonicalJson, fingerprint } from './fingerprint';

describe('fingerprint', () => {
  const base = { method: 'POST', routeTemplate: '/v1/wallets/:id/deposits', params: { id: 'w1' }, query: {}, body: { amount: 5, meta: { b: 1, a: [2, { d: 1, c: 2 }] } } };

  it('ignores key order at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":2,"y":1}]},"b":1}');
    const reordered = { ...base, body: { meta: { a: [2, { c: 2, d: 1 }], b: 1 }, amount: 5 } };
    expect(fingerprint(reordered).equals(fingerprint(base))).toBe(true);
  });

  it('changes with the body, the path params, the query and the route', () => {
    const digest = fingerprint(base);
    expect(fingerprint({ ...base, body: { ...base.body, amount: 6 } }).equals(digest)).toBe(false);
    expect(fingerprint({ ...base, params: { id: 'w2' } }).equals(digest)).toBe(false);
    expect(fingerprint({ ...base, query: { dry: '1' } }).equals(digest)).toBe(false);
    expect(fingerprint({ ...base, routeTemplate: '/v1/payouts' }).equals(digest)).toBe(false);
  });

  it('keeps array order significant', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});
