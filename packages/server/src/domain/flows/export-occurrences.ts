// When an audience of a dataflow is due for export (SPEC §8.1), as pure functions of (schedule, watermark, now): the
// occurrences of a SCHEDULED schedule and the one run the scheduler creates for them. All times UTC, epoch ms.
import { assertNever } from '../../errors.js';
import type { AudienceSchedule, Frequency } from './flow-types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A due occurrence at most this late, and alone, is an on-time SCHEDULED run; otherwise a CATCH_UP run (SPEC §8.1). */
export const ON_TIME_TOLERANCE_MS = 300_000;

/** Midnight UTC of a `YYYY-MM-DD` date. */
function dayStart(date: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day);
}

/** Milliseconds after midnight of an `HH:mm` time. */
function timeOfDay(time: string): number {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return hours * HOUR + minutes * 60_000;
}

/** The fixed step between occurrences, or undefined for frequencies that are not evenly spaced (ONCE, MONTHLY). */
function fixedStep(frequency: Frequency): number | undefined {
  switch (frequency) {
    case 'DAILY': return DAY;
    case 'WEEKLY': return 7 * DAY;
    case 'EVERY_3_HOURS': return 3 * HOUR;
    case 'EVERY_6_HOURS': return 6 * HOUR;
    case 'EVERY_8_HOURS': return 8 * HOUR;
    case 'EVERY_12_HOURS': return 12 * HOUR;
    case 'ONCE':
    case 'MONTHLY':
      return undefined;
    default: return assertNever(frequency);
  }
}

/** The MONTHLY occurrence `k` months after the start: the start's day of month, or the month's last day if shorter. */
function monthlyOccurrence(start: Date, months: number, time: number): number {
  const year = start.getUTCFullYear();
  const month = start.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(start.getUTCDate(), lastDay)) + time;
}

/** The occurrences of a SCHEDULED schedule in (`after`, `upTo`]: the latest one and how many there are. */
export interface DueOccurrences {
  readonly latest: number;
  readonly count: number;
}

/**
 * The occurrences of `schedule` (SPEC §8.1 table) in (`after`, `upTo`]: only those on a date ≥ `startDate` and
 * < `endDate` (exclusive). Computed arithmetically, so a watermark years old costs nothing. Undefined when none is due,
 * and always for AFTER_SEGMENT_EVAL schedules (their occurrences are segment jobs, not times).
 * @example dueOccurrences({ frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2025-01-31', startTime: '06:00' }, Date.UTC(2025, 1, 1), Date.UTC(2025, 1, 3, 7)) // { latest: Date.UTC(2025, 1, 3, 6), count: 3 }
 */
export function dueOccurrences(schedule: AudienceSchedule, after: number, upTo: number): DueOccurrences | undefined {
  if (schedule.triggerType !== 'SCHEDULED' || schedule.startTime === undefined) return undefined;
  const time = timeOfDay(schedule.startTime);
  const startDay = dayStart(schedule.startDate);
  const first = startDay + time;
  // Occurrences must fall on a date before endDate: the last one allowed is before midnight of endDate.
  const end = schedule.endDate === undefined ? Number.POSITIVE_INFINITY : dayStart(schedule.endDate);
  const last = Math.min(upTo, end - 1);
  if (last < first || last <= after) return undefined;
  if (schedule.frequency === 'ONCE') return first > after ? { latest: first, count: 1 } : undefined;
  const step = fixedStep(schedule.frequency);
  if (step !== undefined) {
    const latestIndex = Math.floor((last - first) / step);
    const firstIndex = after < first ? 0 : Math.floor((after - first) / step) + 1;
    return latestIndex >= firstIndex ? { latest: first + latestIndex * step, count: latestIndex - firstIndex + 1 } : undefined;
  }
  // MONTHLY: month k's occurrence grows with k, so count the months from the first one after `after` to `last`.
  const start = new Date(startDay);
  let count = 0;
  let latest: number | undefined;
  const lastDate = new Date(last);
  const monthsToLast = (lastDate.getUTCFullYear() - start.getUTCFullYear()) * 12 + lastDate.getUTCMonth() - start.getUTCMonth();
  for (let months = monthsToLast; months >= 0; months -= 1) {
    const occurrence = monthlyOccurrence(start, months, time);
    if (occurrence > last) continue;
    if (occurrence <= after) break;
    latest ??= occurrence;
    count += 1;
  }
  return latest === undefined ? undefined : { latest, count };
}

/** The run the scheduler creates for one (flow, audience) at a tick, and the watermark that follows. */
export interface ScheduledRunDecision {
  /** The occurrence the run is for (also the new watermark). */
  readonly occurrence: number;
  readonly trigger: 'SCHEDULED' | 'CATCH_UP';
  /** Earlier due occurrences the run covers (skipped: logged and counted, never run as a burst). */
  readonly skipped: number;
}

/**
 * SPEC §8.1 scheduler loop for one audience: with `due` = occurrences in (`watermark`, `now`], one run for the latest,
 * `SCHEDULED` when it is the only one and at most 300 s late, else `CATCH_UP`; undefined when nothing is due.
 */
export function decideScheduledRun(schedule: AudienceSchedule, watermark: number, now: number): ScheduledRunDecision | undefined {
  const due = dueOccurrences(schedule, watermark, now);
  if (due === undefined) return undefined;
  const onTime = due.count === 1 && now - due.latest <= ON_TIME_TOLERANCE_MS;
  return { occurrence: due.latest, trigger: onTime ? 'SCHEDULED' : 'CATCH_UP', skipped: due.count - 1 };
}
