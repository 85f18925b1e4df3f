// SQL for occurs and temporal comparisons: constant times become plain range predicates on the value (SPEC §5.3).
import type { ComparisonOperator, Expr, OccursDistance, OccursNode } from './ast.js';
import { CLOCK_UNIT_MS, DAY_MS, END_INSTANT, MIN_INSTANT, ceilDay, floorDay, isoDate, isoTimestamp, unitNumber, unitStart, utcMs } from './calendar.js';
import { type CompileContext, FALSE, type Fragment, type Scope, condition } from './compile-context.js';
import type { Temporal } from './dialect/dialect.js';

/** Compiles a node to a value fragment (the main walk, passed in to keep the modules acyclic). */
export type CompileValue = (node: Expr, scope: Scope) => string;

/** One end of a time range; `ms` may be ±Infinity (beyond the years 1–9999). */
interface Bound { readonly ms: number; readonly exclusive: boolean }
interface Range { readonly lower?: Bound; readonly upper?: Bound }

/** The instant of a constant time (`now`, `today`, `date(…)`), or `null` for a path. */
export function constantTime(node: Expr, ctx: CompileContext): { readonly ms: number; readonly isDate: boolean } | null {
  switch (node.kind) {
    case 'now': return { ms: ctx.nowMs, isDate: false };
    case 'today': return { ms: floorDay(ctx.nowMs), isDate: true };
    case 'date': return { ms: utcMs(node.year, node.month - 1, node.day), isDate: true };
    default: return null;
  }
}

/** `value <op> constant` for a temporal value, as a range predicate on the value (no cast of the value). */
export function compareWithConstant(value: Temporal, operator: ComparisonOperator, ms: number, ctx: CompileContext): Fragment {
  const at: Bound = { ms, exclusive: false };
  const above: Bound = { ms, exclusive: true };
  switch (operator) {
    case '=': return inRange(value, { lower: at, upper: at }, ctx);
    case '<': return inRange(value, { upper: above }, ctx);
    case '<=': return inRange(value, { upper: at }, ctx);
    case '>': return inRange(value, { lower: above }, ctx);
    case '>=': return inRange(value, { lower: at }, ctx);
    case '!=':
      if (value.type === 'date' && ms !== floorDay(ms)) return condition(`(${value.sql} IS NOT NULL)`, false);
      return condition(`(${value.sql} <> ${literal(value.type, ms, 0, ctx)})`, true);
  }
}

/** `value occurs <condition>`. */
export function compileOccurs(node: OccursNode, scope: Scope, ctx: CompileContext, compileValue: CompileValue): Fragment {
  const value = lazyTemporal(() => compileValue(node.value, scope), temporalType(node.value, ctx));
  const c = node.condition;
  if (c.form === 'calendar') {
    const shift = c.which === 'last' ? -1 : c.which === 'next' ? 1 : 0;
    const n = unitNumber(c.unit, ctx.nowMs) + shift;
    return inRange(value, { lower: { ms: unitStart(c.unit, n), exclusive: false }, upper: { ms: unitStart(c.unit, n + 1), exclusive: true } }, ctx);
  }
  const times = c.form === 'between' ? [c.from, c.to] : [c.time];
  const constants = times.map((time) => constantTime(time, ctx));
  if (constants.every((time) => time !== null)) {
    const [first, second] = constants as Array<{ ms: number; isDate: boolean }>;
    if (first === undefined) return FALSE;
    switch (c.form) {
      case 'distance': return anyRange(value, distanceRanges(c, first.ms), ctx);
      case 'between': {
        const to = second ?? first;
        const upper = to.isDate ? { ms: to.ms + DAY_MS, exclusive: true } : { ms: to.ms, exclusive: false };
        return inRange(value, { lower: { ms: first.ms, exclusive: false }, upper }, ctx);
      }
      case 'relative':
        if (c.direction === 'before') return inRange(value, { upper: { ms: first.ms, exclusive: true } }, ctx);
        return inRange(value, { lower: first.isDate ? { ms: first.ms + DAY_MS, exclusive: false } : { ms: first.ms, exclusive: true } }, ctx);
      case 'on': {
        const day = floorDay(first.ms);
        return inRange(value, { lower: { ms: day, exclusive: false }, upper: { ms: day + DAY_MS, exclusive: true } }, ctx);
      }
    }
  }
  const [from, to] = times.map((time) => ({ sql: compileValue(time, scope), type: temporalType(time, ctx) }));
  if (from === undefined) return FALSE;
  switch (c.form) {
    case 'distance': return distanceCondition(c, value, from, ctx);
    case 'between': return condition(`(${value.sql} >= ${from.sql} AND ${upToEndOf(value, to ?? from, ctx)})`, true);
    case 'relative':
      if (c.direction === 'before') return condition(`(${value.sql} < ${from.sql})`, true);
      return condition(`(${afterDayOf(value, from, ctx)})`, true);
    case 'on': {
      const d = ctx.dialect;
      return condition(`(${d.toDate(value)} = ${d.toDate(from)})`, true);
    }
  }
}

/**
 * A temporal operand compiled on first use: a condition that turns out constant (an empty range) never
 * emits the operand, so none of its string parameters is bound without a placeholder in the SQL.
 */
export function lazyTemporal(compile: () => string, type: Temporal['type']): Temporal {
  let sql: string | undefined;
  return {
    type,
    get sql() {
      sql ??= compile();
      return sql;
    },
  };
}

function temporalType(node: Expr, ctx: CompileContext): 'date' | 'date-time' {
  return ctx.scalarTypeOf(node) === 'date' ? 'date' : 'date-time';
}

/** `value <= bound`, where a date bound covers its whole day. */
function upToEndOf(value: Temporal, bound: Temporal, ctx: CompileContext): string {
  if (bound.type === 'date-time' || value.type === 'date') return `${value.sql} <= ${bound.sql}`;
  return `${value.sql} < ${ctx.dialect.dayAfter(bound.sql)}`;
}

/** `value > bound`, where a date bound means from the next day on. */
function afterDayOf(value: Temporal, bound: Temporal, ctx: CompileContext): string {
  if (bound.type === 'date-time' || value.type === 'date') return `${value.sql} > ${bound.sql}`;
  return `${value.sql} >= ${ctx.dialect.dayAfter(bound.sql)}`;
}

/** The ranges of whole-unit distances k (≥ 0) with `k <op> N`: `[kmin, kmax]`, kmax possibly Infinity. */
function distanceIntervals(operator: ComparisonOperator, n: number): Array<readonly [number, number]> {
  const table: Readonly<Record<ComparisonOperator, ReadonlyArray<readonly [number, number]>>> = {
    '=': [[n, n]], '<': [[0, n - 1]], '<=': [[0, n]], '>': [[n + 1, Infinity]], '>=': [[n, Infinity]],
    '!=': [[0, n - 1], [n + 1, Infinity]],
  };
  const intervals = table[operator];
  return intervals.map(([low, high]) => [Math.max(low, 0), high] as const).filter(([low, high]) => low <= high);
}

/** `T occurs <op> N unit before|after TIME` with a constant TIME, as ranges of T. */
function distanceRanges(c: OccursDistance, timeMs: number): Range[] {
  const clock = CLOCK_UNIT_MS[c.unit];
  return distanceIntervals(c.operator, c.amount).map(([low, high]) => {
    if (clock !== undefined) {
      // D = floor(elapsed / unit) ∈ [low, high] ⇔ low·unit ≤ elapsed < (high + 1)·unit.
      if (c.direction === 'before') {
        return { lower: { ms: timeMs - (high + 1) * clock, exclusive: true }, upper: { ms: timeMs - low * clock, exclusive: false } };
      }
      return { lower: { ms: timeMs + low * clock, exclusive: false }, upper: { ms: timeMs + (high + 1) * clock, exclusive: true } };
    }
    // D = unit(TIME) − unit(T) (or the reverse for after) ∈ [low, high]: T lies in a run of whole units.
    const n = unitNumber(c.unit, timeMs);
    const [first, last] = c.direction === 'before' ? [n - high, n - low] : [n + low, n + high];
    return { lower: { ms: unitStart(c.unit, first), exclusive: false }, upper: { ms: unitStart(c.unit, last + 1), exclusive: true } };
  });
}

/** `T occurs <op> N unit before|after TIME` with TIME a path: the unit difference computed per row. */
function distanceCondition(c: OccursDistance, value: Temporal, time: Temporal, ctx: CompileContext): Fragment {
  const [earlier, later] = c.direction === 'before' ? [value, time] : [time, value];
  const distance = ctx.dialect.unitDifference(c.unit, earlier, later);
  const n = ctx.dialect.integerLiteral(c.amount);
  const operator = c.operator === '!=' ? '<>' : c.operator;
  if (c.operator === '=') return condition(`(${distance} = ${n})`, true);
  return condition(`(${distance} >= 0 AND ${distance} ${operator} ${n})`, true);
}

function anyRange(value: Temporal, ranges: readonly Range[], ctx: CompileContext): Fragment {
  const parts = ranges.map((range) => inRange(value, range, ctx)).filter((part) => part.sql !== 'false');
  if (parts.length === 0) return FALSE;
  if (parts.length === 1) return parts[0] as Fragment;
  return condition(`(${parts.map((part) => part.sql).join(' OR ')})`, parts.some((part) => part.nullable));
}

/** A point of the value's type: a day (ms of its midnight) or an instant plus microseconds. */
interface Point { readonly ms: number; readonly micros: number }

/** `value` within `range`, as `BETWEEN`/`>=`/`<=`/`=` against constants of the value's own type. */
function inRange(value: Temporal, range: Range, ctx: CompileContext): Fragment {
  const low = range.lower === undefined ? undefined : lowerPoint(value.type, range.lower);
  const high = range.upper === undefined ? undefined : upperPoint(value.type, range.upper);
  const lowOpen = low === undefined || low.ms < MIN_INSTANT;
  const highOpen = high === undefined || high.ms >= END_INSTANT;
  if ((low !== undefined && low.ms >= END_INSTANT) || (high !== undefined && high.ms < MIN_INSTANT)) return FALSE;
  if (lowOpen && highOpen) return condition(`(${value.sql} IS NOT NULL)`, false);
  const lit = (point: Point): string => literal(value.type, point.ms, point.micros, ctx);
  if (lowOpen) return condition(`(${value.sql} <= ${lit(high as Point)})`, true);
  if (highOpen) return condition(`(${value.sql} >= ${lit(low)})`, true);
  const [a, b] = [low, high];
  const order = a.ms - b.ms || a.micros - b.micros;
  if (order > 0) return FALSE;
  if (order === 0) return condition(`(${value.sql} = ${lit(a)})`, true);
  return condition(`(${value.sql} BETWEEN ${lit(a)} AND ${lit(b)})`, true);
}

/** The least value of the type that satisfies the lower bound. */
function lowerPoint(type: Temporal['type'], bound: Bound): Point {
  if (!Number.isFinite(bound.ms)) return { ms: bound.ms, micros: 0 };
  if (type === 'date') return { ms: bound.exclusive ? floorDay(bound.ms) + DAY_MS : ceilDay(bound.ms), micros: 0 };
  return { ms: bound.ms, micros: bound.exclusive ? 1 : 0 };
}

/** The greatest value of the type that satisfies the upper bound (timestamps have microsecond precision). */
function upperPoint(type: Temporal['type'], bound: Bound): Point {
  if (!Number.isFinite(bound.ms)) return { ms: bound.ms, micros: 0 };
  if (type === 'date') return { ms: bound.exclusive ? ceilDay(bound.ms) - DAY_MS : floorDay(bound.ms), micros: 0 };
  return bound.exclusive ? { ms: bound.ms - 1, micros: 999 } : { ms: bound.ms, micros: 0 };
}

function literal(type: Temporal['type'], ms: number, micros: number, ctx: CompileContext): string {
  return type === 'date' ? ctx.dialect.dateLiteral(isoDate(ms)) : ctx.dialect.timestampLiteral(isoTimestamp(ms, micros));
}
