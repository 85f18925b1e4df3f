// The SQL dialect port: everything the compiler emits that differs between SQL engines (Kysely-style adapter).
import type { TimeUnit } from '../ast.js';
import type { ScalarType } from '../catalogue.js';

/** The SQL dialects the compiler targets; each has a `DialectAdapter` in this folder. */
export type SqlDialect = 'duckdb';

/** Whether a temporal SQL value is a calendar date or a UTC timestamp. */
export type TemporalType = 'date' | 'date-time';

/**
 * How one SQL engine spells the pieces of a compiled audience. Arguments are SQL fragments (already
 * parenthesised where needed); results are fragments the compiler may embed anywhere an operand goes.
 * The tree walk (`compiler.ts`) is dialect-neutral: it decides semantics, the adapter only spells them.
 *
 * @example duckdbDialect.parameter(1) // '$1'
 */
export interface DialectAdapter {
  /** `"name"` with embedded quotes doubled: column names are the catalogue's dotted paths. */
  quoteIdentifier(name: string): string;
  /** The placeholder of the `index`-th (1-based) entry of `parameters`. */
  parameter(index: number): string;
  /** An exact integer constant (a safe integer). */
  integerLiteral(value: number): string;
  /** A double-precision constant (finite). */
  numberLiteral(value: number): string;
  booleanLiteral(value: boolean): string;
  /** A DATE constant from `YYYY-MM-DD`. */
  dateLiteral(isoDate: string): string;
  /** A UTC TIMESTAMP constant from `YYYY-MM-DD HH:MM:SS.ffffff`. */
  timestampLiteral(isoTimestamp: string): string;
  /** A list constant of `items` (`[]` needs the item type). */
  listLiteral(items: readonly string[], itemType: ScalarType): string;
  /** `left / right` as a double, NULL when `right` is 0 (`rightNonZero`: the divisor is a known non-zero constant). */
  divide(left: string, right: string, rightNonZero: boolean): string;
  /** `left % right`, NULL when `right` is 0. */
  modulo(left: string, right: string, rightNonZero: boolean): string;
  lower(value: string): string;
  startsWith(value: string, prefix: string): string;
  endsWith(value: string, suffix: string): string;
  contains(value: string, part: string): string;
  /** SQL LIKE where `\` escapes the next character. */
  like(value: string, pattern: string): string;
  /** An RE2 search (unanchored; `(?i)` allowed at the start of the pattern). */
  regexMatches(value: string, pattern: string): string;
  listContains(list: string, element: string): string;
  listHasAny(list: string, other: string): string;
  /** Every element of `subset` is in `list`. */
  listHasAll(list: string, subset: string): string;
  /** The distinct elements of `list` (NULL stays NULL). */
  listDistinct(list: string): string;
  /** The number of elements of `list` (NULL stays NULL). */
  listLength(list: string): string;
  /**
   * Whole `unit`s from `earlier` to `later` per SPEC §5.3: for day/week/month/year the difference of
   * the values truncated to the unit (weeks start Monday), for second/minute/hour `floor(elapsed / unit)`.
   */
  unitDifference(unit: TimeUnit, earlier: Temporal, later: Temporal): string;
  /** The UTC day of a temporal value, as a date. */
  toDate(value: Temporal): string;
  /** The instant one day after the start of the date `value` (a timestamp). */
  dayAfter(value: string): string;
}

/** A temporal SQL fragment with its type. */
export interface Temporal {
  readonly sql: string;
  readonly type: TemporalType;
}
