/**
 * The time, injected where time is the subject (a webhook secret's 24-hour rotation window), so a
 * test can move it instead of waiting for it.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
