import { describe, expect, it } from 'vitest';
import { heartbeatIntervalMs, isLeaseExpired, isTakeover, retryTime } from './job-state.js';

describe('job state decisions', () => {
  it.each([
    { state: 'running', leaseExpiresAt: 1000, now: 999, expired: false },
    { state: 'running', leaseExpiresAt: 1000, now: 1000, expired: true },
    { state: 'running', leaseExpiresAt: 1000, now: 5000, expired: true },
    { state: 'queued', leaseExpiresAt: null, now: 5000, expired: false },
    { state: 'succeeded', leaseExpiresAt: null, now: 5000, expired: false },
  ] as const)('a $state job with a lease until $leaseExpiresAt is expired at $now: $expired', ({ state, leaseExpiresAt, now, expired }) => {
    expect(isLeaseExpired({ state, leaseExpiresAt }, now)).toBe(expired);
  });

  it('renews a lease every third of its length', () => {
    expect(heartbeatIntervalMs(60_000)).toBe(20_000);
    expect(heartbeatIntervalMs(2)).toBe(1);
  });

  it('knows a claim is a takeover from the second attempt on', () => {
    expect(isTakeover({ attempts: 1 })).toBe(false);
    expect(isTakeover({ attempts: 2 })).toBe(true);
  });

  it.each([
    { attempts: 1, random: 0.5, expected: 30_000 },
    { attempts: 2, random: 0.5, expected: 60_000 },
    { attempts: 3, random: 0, expected: 96_000 },
    { attempts: 4, random: 1, expected: 288_000 },
    { attempts: 5, random: 0.5, expected: undefined },
  ])('after attempt $attempts (random $random) retries at now + $expected', ({ attempts, random, expected }) => {
    const policy = { maxAttempts: 5, baseMs: 30_000, maxMs: 1_800_000, jitter: 0.2 };
    expect(retryTime(attempts, policy, 1_000, random)).toBe(expected === undefined ? undefined : 1_000 + expected);
  });

  it('caps the delay', () => {
    expect(retryTime(10, { maxAttempts: 20, baseMs: 30_000, maxMs: 1_800_000, jitter: 0 }, 0, 0.5)).toBe(1_800_000);
  });
});
