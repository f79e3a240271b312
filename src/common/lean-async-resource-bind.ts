import { AsyncResource } from 'node:async_hooks';

type Bindable = (...args: unknown[]) => unknown;

/**
 * Node 20's AsyncResource#bind gives every bound function a deprecated `asyncResource` accessor
 * (DEP0172) made of two deprecate() wrappers, which rewrite a function's prototype: about 10 µs a
 * call, against 0.1 µs for the binding itself, and Fastify's body parser and Nest's interceptor
 * chain bind on every request (nodejs/node#58218; Node 24 dropped the accessor). Where bound
 * functions still carry it, this binds exactly as Node does, without it.
 */
export function useLeanAsyncResourceBind(): void {
  if (!Object.prototype.hasOwnProperty.call(AsyncResource.bind(() => undefined), 'asyncResource')) return;
  function bind(this: AsyncResource, fn: Bindable, thisArg?: unknown): Bindable {
    const resource = this;
    const bound: Bindable =
      thisArg === undefined
        ? function (this: unknown, ...args: unknown[]) {
            return resource.runInAsyncScope(fn, this, ...args);
          }
        : resource.runInAsyncScope.bind(resource, fn, thisArg);
    Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
    return bound;
  }
  AsyncResource.prototype.bind = bind as AsyncResource['bind'];
}
