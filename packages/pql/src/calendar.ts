// UTC calendar arithmetic on instants (epoch ms): unit numbering (weeks start Monday) and unit starts, for occurs.
import type { TimeUnit } from './ast.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const DAY_MS = 24 * HOUR;

/** The length of the clock units, whose distance is `floor(elapsed / unit)` (SPEC §5.3). */
export const CLOCK_UNIT_MS: Readonly<Partial<Record<TimeUnit, number>>> = { second: SECOND, minute: MINUTE, hour: HOUR };

/** 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z: instants outside are beyond any stored date. */
export const MIN_INSTANT = utcMs(1, 0, 1);
export const END_INSTANT = utcMs(10000, 0, 1);

/** Epoch ms of a UTC calendar day (month 0-based); unlike `Date.UTC`, years 0–99 are taken literally. */
export function utcMs(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  return date.getTime();
}

/** The number of the calendar unit containing `ms` (consecutive units have consecutive numbers). */
export function unitNumber(unit: TimeUnit, ms: number): number {
  switch (unit) {
    case 'second': return Math.floor(ms / SECOND);
    case 'minute': return Math.floor(ms / MINUTE);
    case 'hour': return Math.floor(ms / HOUR);
    case 'day': return Math.floor(ms / DAY_MS);
    // 1970-01-01 was a Thursday: shifting by 3 days makes week numbers change on Mondays.
    case 'week': return Math.floor((Math.floor(ms / DAY_MS) + 3) / 7);
    case 'month': {
      const date = new Date(ms);
      return date.getUTCFullYear() * 12 + date.getUTCMonth();
    }
    case 'year': return new Date(ms).getUTCFullYear();
  }
}

/** The first instant of unit number `n`; ±Infinity beyond the years 1–9999 (so callers can drop such bounds). */
export function unitStart(unit: TimeUnit, n: number): number {
  let ms: number;
  switch (unit) {
    case 'second': ms = n * SECOND; break;
    case 'minute': ms = n * MINUTE; break;
    case 'hour': ms = n * HOUR; break;
    case 'day': ms = n * DAY_MS; break;
    case 'week': ms = (n * 7 - 3) * DAY_MS; break;
    case 'month': ms = Math.abs(n) > 12 * 20000 ? Math.sign(n) * Infinity : utcMs(Math.floor(n / 12), ((n % 12) + 12) % 12, 1); break;
    case 'year': ms = Math.abs(n) > 20000 ? Math.sign(n) * Infinity : utcMs(n, 0, 1); break;
  }
  if (ms < MIN_INSTANT) return -Infinity;
  if (ms > END_INSTANT) return Infinity;
  return ms;
}

/** The UTC midnight at or before `ms`. */
export const floorDay = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;
/** The UTC midnight at or after `ms`. */
export const ceilDay = (ms: number): number => Math.ceil(ms / DAY_MS) * DAY_MS;

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** `YYYY-MM-DD` of the UTC day containing `ms` (years 1–9999). */
export function isoDate(ms: number): string {
  const date = new Date(ms);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` of `ms` plus `micros` (0–999) microseconds; the fraction only when not zero. */
export function isoTimestamp(ms: number, micros = 0): string {
  const date = new Date(ms);
  const time = `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
  const fraction = date.getUTCMilliseconds() === 0 && micros === 0 ? '' : `.${pad(date.getUTCMilliseconds(), 3)}${pad(micros, 3)}`;
  return `${isoDate(ms)} ${time}${fraction}`;
}
