// The value model of the reference evaluator: PQL values as plain JS, read from fixture values, compared per SPEC §5.2/5.3.
import type { FieldType, ScalarType } from './fixture.js';

/** A calendar date (days since 1970-01-01, UTC). */
export interface DateValue { readonly kind: 'date'; readonly days: number }
/** An instant (milliseconds since the epoch, UTC). */
export interface InstantValue { readonly kind: 'instant'; readonly ms: number }

/** A present PQL value; `null` is a missing value. Integers and numbers are both JS numbers. */
export type Value = string | number | boolean | DateValue | InstantValue | readonly Value[];
export type Maybe = Value | null;

export const MS_PER_DAY = 86_400_000;

/** Raised when the evaluator meets a combination SPEC §5.2 makes a compile error (a generator bug, not a divergence). */
export class NotWellTyped extends Error {}

export const dateValue = (days: number): DateValue => ({ kind: 'date', days });
export const instantValue = (ms: number): InstantValue => ({ kind: 'instant', ms });

/** Days since the epoch of the calendar date `y-m-d`. */
export function daysOf(year: number, month: number, day: number): number {
  const ms = new Date(0).setUTCFullYear(year, month - 1, day);
  return Math.round(ms / MS_PER_DAY);
}

/** Reads a fixture value (contract §4 format) of a catalogue type; null/undefined → missing. */
export function fromFixture(raw: unknown, type: FieldType, items?: ScalarType): Maybe {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return raw as string | number | boolean;
    case 'date': {
      const [y, m, d] = (raw as string).split('-').map(Number);
      return dateValue(daysOf(y ?? 0, m ?? 0, d ?? 0));
    }
    case 'date-time':
      return instantValue(Date.parse(raw as string));
    case 'array':
      if (items === undefined) throw new NotWellTyped('array field without item type');
      return (raw as readonly unknown[]).map((item) => fromFixture(item, items) as Value);
  }
}

export const isTime = (value: Value): value is DateValue | InstantValue =>
  typeof value === 'object' && !Array.isArray(value) && 'kind' in value;

/** A date or date-time as an instant: a date is the start of its UTC day. */
export function instantOf(value: Value): number {
  if (!isTime(value)) throw new NotWellTyped(`expected a date or date-time, got ${describe(value)}`);
  return value.kind === 'date' ? value.days * MS_PER_DAY : value.ms;
}

/** Compares strings by Unicode code point (not UTF-16 unit). */
export function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const x = left[i]?.codePointAt(0) ?? 0;
    const y = right[i]?.codePointAt(0) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return Math.sign(left.length - right.length);
}

/**
 * Orders two present values of comparable types (numbers; strings by code point; dates with date-times; booleans
 * only for equality — `equalityOnly` is set then). Anything else is not well typed.
 */
export function compareValues(a: Value, b: Value): { readonly order: number; readonly equalityOnly: boolean } {
  if (typeof a === 'number' && typeof b === 'number') return { order: Math.sign(a - b), equalityOnly: false };
  if (typeof a === 'string' && typeof b === 'string') return { order: compareCodePoints(a, b), equalityOnly: false };
  if (typeof a === 'boolean' && typeof b === 'boolean') return { order: a === b ? 0 : 1, equalityOnly: true };
  if (isTime(a) && isTime(b)) return { order: Math.sign(instantOf(a) - instantOf(b)), equalityOnly: false };
  throw new NotWellTyped(`cannot compare ${describe(a)} with ${describe(b)}`);
}

/** Equality of two present values (as `=`). */
export const valuesEqual = (a: Value, b: Value): boolean => compareValues(a, b).order === 0;

export function describe(value: Maybe): string {
  if (value === null) return 'missing';
  if (Array.isArray(value)) return 'array';
  if (isTime(value)) return value.kind === 'date' ? 'date' : 'date-time';
  return typeof value;
}
