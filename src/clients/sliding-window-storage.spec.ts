import { AppConfig } from '../config/app-config';
import { validateEnv } from '../config/env.schema';
import { RateLimitCounters } from './rate-limit-counters';
import { SlidingWindowStorage } from './sliding-window-storage';

const MINUTE = 60_000;
const LIMIT = 10;
/** Windows are aligned on the clock (every instance names the same ones): the tests start at one's beginning. */
const START = 17 * MINUTE;

describe('SlidingWindowStorage', () => {
  let storage: SlidingWindowStorage;
  const hit = (key = 'client') => storage.increment(key, MINUTE, LIMIT);
  const at = (ms: number) => jest.setSystemTime(ms);

  beforeEach(() => {
    jest.useFakeTimers();
    at(START);
    storage = new SlidingWindowStorage(new RateLimitCounters(new AppConfig(validateEnv({}))));
  });
  afterEach(() => jest.useRealTimers());

  it('allows the limit within a window, counting down, then refuses', async () => {
    const remaining: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const record = await hit();
      expect(record.isBlocked).toBe(false);
      remaining.push(LIMIT - record.totalHits);
    }
    expect(remaining).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const refused = await hit();
    expect(refused).toMatchObject({ isBlocked: true, timeToExpire: 60 });
    expect(await hit('another client')).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('weighs the previous window by the share the sliding minute still covers', async () => {
    for (let i = 0; i < LIMIT; i++) await hit();
    at(START + MINUTE + MINUTE / 2); // half of the full window has slid out: 5 count
    const allowed: boolean[] = [];
    for (let i = 0; i < 6; i++) allowed.push(!(await hit()).isBlocked);
    expect(allowed).toEqual([true, true, true, true, true, false]);
  });

  it('sends Retry-After for the first moment a request fits again', async () => {
    for (let i = 0; i < LIMIT; i++) await hit();
    const refused = await hit();
    expect(refused.isBlocked).toBe(true);
    // Full window, then the next: 10 * (1 - x / 60 s) <= 9 from x = 6 s, so 60 + 6 s from the start.
    expect(refused.timeToBlockExpire).toBe(66);
    at(START + (refused.timeToBlockExpire - 1) * 1000);
    expect((await hit()).isBlocked).toBe(true);
    at(START + refused.timeToBlockExpire * 1000);
    expect((await hit()).isBlocked).toBe(false);
  });

  it('peeks without counting: what the next hit would be answered', async () => {
    for (let i = 0; i < LIMIT - 1; i++) await hit();
    expect(await storage.peek('client', MINUTE, LIMIT)).toMatchObject({ isBlocked: false, totalHits: LIMIT - 1 });
    expect(await storage.peek('client', MINUTE, LIMIT)).toMatchObject({ isBlocked: false, totalHits: LIMIT - 1 });
    await hit();
    expect(await storage.peek('client', MINUTE, LIMIT)).toMatchObject({ isBlocked: true, timeToBlockExpire: 66 });
  });

  it('does not count a refused hit', async () => {
    for (let i = 0; i < LIMIT; i++) await hit();
    for (let i = 0; i < 5; i++) expect((await hit()).isBlocked).toBe(true);
    // The next window sees 10 in the previous one, not 15: at 10 % into it, 10 * 0.9 = 9 leaves room for one.
    at(START + MINUTE + MINUTE / 10);
    expect(await hit()).toMatchObject({ isBlocked: false, totalHits: LIMIT });
  });

  it('starts afresh after two idle windows', async () => {
    for (let i = 0; i < LIMIT; i++) await hit();
    at(START + 2 * MINUTE);
    expect(await hit()).toMatchObject({ isBlocked: false, totalHits: 1 });
  });
});
