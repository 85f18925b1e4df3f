// The scheduler's decision, as a pure function: which occurrence of a schedule is due now (UTC), if any.
import type { QuartzCron } from './quartz-cron.js';

/** What the decision needs to know about a schedule. */
export interface FiringState {
  readonly state: 'active' | 'inactive';
  readonly cron: QuartzCron;
  /** Occurrences at or before this time are handled (fired, or passed before activation). */
  readonly firedThrough: number;
}

/**
 * The occurrence to fire at `now`: the LATEST occurrence in (`firedThrough`, `now`], or undefined when none is
 * due or the schedule is inactive. After downtime this is one catch-up firing for the most recent missed
 * occurrence — older missed ones are covered by it, never fired as a burst.
 * @example dueFiring({ state: 'active', cron: parseQuartzCron('0 0 1 * * ?', t), firedThrough: Date.UTC(2025, 0, 1) }, Date.UTC(2025, 0, 3, 12)) // Date.UTC(2025, 0, 3, 1)
 */
export function dueFiring(schedule: FiringState, now: number): number | undefined {
  if (schedule.state !== 'active') return undefined;
  const latest = schedule.cron.latestAtOrBefore(now);
  return latest !== undefined && latest > schedule.firedThrough ? latest : undefined;
}
