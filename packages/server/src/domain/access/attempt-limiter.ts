// Limits on guessing (SPEC §14): login and token attempts counted per client value in fixed windows held by the store.
import { AppError } from '../../errors.js';
import type { AttemptWindow, Store } from '../../storage/store.js';
import type { Clock } from '../runtime.js';
import { sha256Hex } from './secrets.js';

/** At most `max` counted attempts per `windowMs`. */
export interface AttemptLimit {
  readonly max: number;
  readonly windowMs: number;
}

/** One limited key: what it is (for the message) and its limit. */
export interface AttemptScope {
  /** e.g. `login:email`; the bucket is this plus a hash of `value`, so its size is fixed whatever the client sends. */
  readonly kind: string;
  readonly value: string;
  readonly limit: AttemptLimit;
  /** The 429 message when this scope is exhausted, given the seconds until it may be tried again. */
  readonly message: (retryAfterSeconds: number) => string;
}

/** Attempts taken before the outcome was known; `refund` gives them back (the attempt succeeded). */
export interface Reservation {
  refund(): Promise<void>;
}

/**
 * Seconds until `window` ends, at least 1 and at most the window's length (the `Retry-After` value). A
 * concurrent request may have opened the window a moment after this request's `now`: the wait is then
 * counted from the window's start, never beyond its end.
 */
export function retryAfterSeconds(window: AttemptWindow, limit: AttemptLimit, now: number): number {
  return Math.max(1, Math.ceil((window.windowStart + limit.windowMs - Math.max(now, window.windowStart)) / 1000));
}

function bucketOf(scope: AttemptScope): string {
  return `${scope.kind}:${sha256Hex(scope.value)}`;
}

function rateLimited(scope: AttemptScope, window: AttemptWindow, now: number): AppError {
  const seconds = retryAfterSeconds(window, scope.limit, now);
  return new AppError('RATE_LIMITED', scope.message(seconds), { headers: { 'retry-after': String(seconds) } });
}

/** "try again in 15 minutes" / "try again in 40 seconds". */
export function tryAgainIn(seconds: number): string {
  return seconds >= 120 ? `try again in ${Math.ceil(seconds / 60)} minutes` : `try again in ${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** Exhausted buckets remembered per process (a memory bound; forgetting one only costs a store read). */
const MAX_REMEMBERED = 10_000;

/** Expired windows are swept at most this often per process. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Counts attempts in the store. `reserve` counts before the outcome is known, so parallel attempts
 * cannot exceed a limit; `check` + `recordFailure` count only failures, for checks so cheap that a
 * few concurrent extra ones do not matter.
 */
export class AttemptLimiter {
  private lastSweep = Number.NEGATIVE_INFINITY;
  /** Buckets `check` found exhausted, with their window: refused again without asking the store until it ends. */
  private readonly exhausted = new Map<string, AttemptWindow>();

  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  /**
   * Takes one attempt in every scope. When any scope is already over its limit, throws RATE_LIMITED
   * (with `Retry-After`) and keeps what was taken: refused attempts count too.
   */
  async reserve(scopes: readonly AttemptScope[]): Promise<Reservation> {
    const now = this.deps.clock.now();
    await this.sweep(now);
    const windows = await Promise.all(scopes.map((scope) => this.deps.store.attempts.increment(bucketOf(scope), now, scope.limit.windowMs)));
    scopes.forEach((scope, i) => {
      const window = windows[i];
      if (window !== undefined && window.count > scope.limit.max) throw rateLimited(scope, window, now);
    });
    return {
      refund: async () => {
        await Promise.all(scopes.map((scope, i) => this.deps.store.attempts.decrement(bucketOf(scope), windows[i]?.windowStart ?? now)));
      },
    };
  }

  /** Throws RATE_LIMITED when any scope has used up its limit; counts nothing. */
  async check(scopes: readonly AttemptScope[]): Promise<void> {
    const now = this.deps.clock.now();
    for (const scope of scopes) {
      const bucket = bucketOf(scope);
      const known = this.exhausted.get(bucket);
      if (known !== undefined && known.windowStart + scope.limit.windowMs > now) throw rateLimited(scope, known, now);
      const window = await this.deps.store.attempts.get(bucket, now, scope.limit.windowMs);
      if (window !== undefined && window.count >= scope.limit.max) {
        if (this.exhausted.size >= MAX_REMEMBERED) this.exhausted.clear();
        this.exhausted.set(bucket, window);
        throw rateLimited(scope, window, now);
      }
    }
  }

  /** Counts one failed attempt in every scope. */
  async recordFailure(scopes: readonly AttemptScope[]): Promise<void> {
    const now = this.deps.clock.now();
    await this.sweep(now);
    await Promise.all(scopes.map((scope) => this.deps.store.attempts.increment(bucketOf(scope), now, scope.limit.windowMs)));
  }

  /** Removes windows older than a day (longer than any configured window), at most once a minute. */
  private async sweep(now: number): Promise<void> {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    await this.deps.store.attempts.deleteStartedBefore(now - 86_400_000);
  }
}
