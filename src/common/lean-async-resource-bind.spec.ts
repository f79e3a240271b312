import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { useLeanAsyncResourceBind } from './lean-async-resource-bind';

describe('useLeanAsyncResourceBind', () => {
  beforeAll(() => useLeanAsyncResourceBind());

  it('binds without the deprecated asyncResource property, keeping the function length', () => {
    const bound = AsyncResource.bind((a: number, b: number) => a + b);
    expect(Object.prototype.hasOwnProperty.call(bound, 'asyncResource')).toBe(false);
    expect(bound.length).toBe(2);
    expect(bound(2, 3)).toBe(5);
  });

  it('runs a bound function in the context it was bound in, wherever it is called from', async () => {
    const storage = new AsyncLocalStorage<string>();
    const bound = storage.run('bound here', () => AsyncResource.bind(() => storage.getStore()));
    // Node accepts a thisArg, which @types/node does not declare.
    type BindWithThis = (fn: (this: { name: string }) => string, thisArg: { name: string }) => () => string;
    const boundWithThis = storage.run('bound here too', () => {
      const resource = new AsyncResource('test');
      const bindWithThis = resource.bind.bind(resource) as unknown as BindWithThis;
      return bindWithThis(function () {
        return `${this.name}: ${storage.getStore()}`;
      }, { name: 'receiver' });
    });
    await storage.run('called here', async () => {
      await Promise.resolve();
      expect(bound()).toBe('bound here');
      expect(boundWithThis()).toBe('receiver: bound here too');
      expect(storage.getStore()).toBe('called here');
    });
  });

  it('passes the caller’s this when bound without a thisArg', () => {
    const bound = AsyncResource.bind(function (this: unknown) {
      return (this as { n: number }).n;
    });
    expect(bound.call({ n: 7 })).toBe(7);
  });
});
