import { SlidingWindowStorage } from './sliding-window-storage';

const MINUTE = 60_000;
const LIMIT = 10;

describe('SlidingWindowStorage', () => {
  let storage: SlidingWindowStorage;
  const hit = (key = 'client') => storage.increment(key, MINUTE, LIMIT);
  const at = (ms: number) => jest.setSystemTime(ms);

  beforeEach(() => {
    jest.useFakeTimers();
    at(1_000_000);
    storage = new SlidingWindowStorage();
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
    at(1_000_000 + MINUTE + MINUTE / 2); // half of the full window has slid out: 5 count
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
    at(1_000_000 + (refused.timeToBlockExpire - 1) * 1000);
    expect((await hit()).isBlocked).toBe(true);
    at(1_000_000 + refused.timeToBlockExpire * 1000);
    expect((await hit()).isBlocked).toBe(false);
  });

  it('starts afresh after two idle windows', async () => {
    for (let i = 0; i < LIMIT; i++) await hit();
    at(1_000_000 + 2 * MINUTE);
    expect(await hit()).toMatchObject({ isBlocked: false, totalHits: 1 });
  });
});
