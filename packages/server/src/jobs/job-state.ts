// Pure decisions about jobs and leases: when a lease counts as expired, how often to renew it, when to retry.
import type { EpochMs, JobRecord } from '../storage/store.js';

/** A lease is valid up to (not including) `leaseExpiresAt`; a job that is not running has none. */
export function isLeaseExpired(job: Pick<JobRecord, 'state' | 'leaseExpiresAt'>, now: EpochMs): boolean {
  return job.state === 'running' && job.leaseExpiresAt !== null && job.leaseExpiresAt <= now;
}

/** SPEC §9.5: a lease is renewed every third of its length, so two missed heartbeats still leave it held. */
export function heartbeatIntervalMs(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}

/** Whether this claim took the job over from a worker that stopped heartbeating (it had been claimed before). */
export function isTakeover(job: Pick<JobRecord, 'attempts'>): boolean {
  return job.attempts > 1;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  /** ± this fraction of jitter, e.g. 0.2. */
  readonly jitter: number;
}

/**
 * When a failed attempt runs again, or undefined when it should fail for good: `base × 2^(attempt−1)`,
 * capped at `maxMs`, ± jitter (`random` in [0, 1) — pass a constant in tests).
 */
export function retryTime(attempts: number, policy: RetryPolicy, now: EpochMs, random: number): EpochMs | undefined {
  if (attempts >= policy.maxAttempts) return undefined;
  const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return now + Math.round(delay * (1 + policy.jitter * (2 * random - 1)));
}
