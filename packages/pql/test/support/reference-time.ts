// Calendar arithmetic of the reference evaluator for `occurs` (SPEC §5.3): UTC, weeks start Monday, whole-unit distances.
import type { ComparisonOperator, OccursCondition, TimeUnit } from '../../src/ast.js';
import { MS_PER_DAY, instantOf, type Value } from './reference-values.js';

const CLOCK_MS: Readonly<Record<'second' | 'minute' | 'hour', number>> = { second: 1_000, minute: 60_000, hour: 3_600_000 };

/**
 * The index of the calendar unit containing instant `ms`, counted from the epoch: consecutive units have consecutive
 * indexes, so "previous / current / next unit" is a difference of -1 / 0 / +1 and the truncated difference of two
 * instants is the difference of their indexes.
 */
export function unitIndex(ms: number, unit: TimeUnit): number {
  switch (unit) {
    case 'second':
    case 'minute':
    case 'hour':
      return Math.floor(ms / CLOCK_MS[unit]);
    case 'day':
      return Math.floor(ms / MS_PER_DAY);
    case 'week':
      // 1970-01-01 was a Thursday: day 4 (1970-01-05) is the first Monday, so Monday-started weeks are ⌊(day + 3) / 7⌋.
      return Math.floor((Math.floor(ms / MS_PER_DAY) + 3) / 7);
    case 'month': {
      const date = new Date(ms);
      return date.getUTCFullYear() * 12 + date.getUTCMonth();
    }
    case 'year':
      return new Date(ms).getUTCFullYear();
  }
}

/**
 * D of `occurs <cmp> N unit before|after` from instant `from` to instant `to` (D = to − from): for day/week/month/year
 * the difference of the values truncated to the unit; for second/minute/hour ⌊elapsed / unit⌋.
 */
export function wholeUnits(from: number, to: number, unit: TimeUnit): number {
  if (unit === 'second' || unit === 'minute' || unit === 'hour') return Math.floor((to - from) / CLOCK_MS[unit]);
  return unitIndex(to, unit) - unitIndex(from, unit);
}

export function compareNumbers(left: number, operator: ComparisonOperator, right: number): boolean {
  switch (operator) {
    case '=': return left === right;
    case '!=': return left !== right;
    case '<': return left < right;
    case '<=': return left <= right;
    case '>': return left > right;
    case '>=': return left >= right;
  }
}

/** Whether `value` (a present date or date-time) satisfies `condition`, given the present time values it refers to. */
export function occurs(value: Value, condition: OccursCondition, now: number, time: (which: 'time' | 'from' | 'to') => Value | null): boolean {
  const t = instantOf(value);
  switch (condition.form) {
    case 'distance': {
      const at = time('time');
      if (at === null) return false;
      const d = condition.direction === 'before' ? wholeUnits(t, instantOf(at), condition.unit) : wholeUnits(instantOf(at), t, condition.unit);
      return d >= 0 && compareNumbers(d, condition.operator, condition.amount);
    }
    case 'calendar': {
      const offset = { last: -1, this: 0, next: 1 }[condition.which];
      return unitIndex(t, condition.unit) - unitIndex(now, condition.unit) === offset;
    }
    case 'between': {
      const from = time('from');
      const to = time('to');
      if (from === null || to === null) return false;
      return instantOf(from) <= t && (isDate(to) ? t < instantOf(to) + MS_PER_DAY : t <= instantOf(to));
    }
    case 'relative': {
      const at = time('time');
      if (at === null) return false;
      if (condition.direction === 'before') return t < instantOf(at);
      return isDate(at) ? t >= instantOf(at) + MS_PER_DAY : t > instantOf(at);
    }
    case 'on': {
      const at = time('time');
      if (at === null) return false;
      return unitIndex(t, 'day') === unitIndex(instantOf(at), 'day');
    }
  }
}

const isDate = (value: Value): boolean => typeof value === 'object' && !Array.isArray(value) && 'kind' in value && value.kind === 'date';
