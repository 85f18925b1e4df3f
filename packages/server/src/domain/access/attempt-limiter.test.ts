import { describe, expect, it } from 'vitest';
import { retryAfterSeconds, tryAgainIn } from './attempt-limiter.js';

const limit = { max: 5, windowMs: 15 * 60_000 };

describe('retryAfterSeconds', () => {
  it.each([
    // [window start, now, expected seconds]
    [1_000_000, 1_000_000, 900],
    [1_000_000, 1_000_001, 900],
    [1_000_000, 1_000_999, 900],
    [1_000_000, 1_001_000, 899],
    [1_000_000, 1_000_000 + 899_999, 1],
    [1_000_000, 1_000_000 + 900_000, 1],
    [1_000_000, 1_000_000 + 5_000_000, 1],
  ])('counts from a window opened at %i, asked at %i: %i s', (windowStart, now, expected) => {
    expect(retryAfterSeconds({ windowStart, count: 6 }, limit, now)).toBe(expected);
  });

  it('never exceeds the window when a concurrent request opened it after this request read the clock', () => {
    expect(retryAfterSeconds({ windowStart: 1_000_005, count: 6 }, limit, 1_000_000)).toBe(900);
    expect(retryAfterSeconds({ windowStart: 1_000_000 + 60_000, count: 6 }, limit, 1_000_000)).toBe(900);
  });
});

describe('tryAgainIn', () => {
  it.each([
    [1, 'try again in 1 second'],
    [40, 'try again in 40 seconds'],
    [119, 'try again in 119 seconds'],
    [120, 'try again in 2 minutes'],
    [900, 'try again in 15 minutes'],
    [901, 'try again in 16 minutes'],
  ])('%i s → %s', (seconds, text) => {
    expect(tryAgainIn(seconds)).toBe(text);
  });
});
