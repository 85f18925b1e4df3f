// The DuckDB dialect adapter: positional `$n` parameters, LIST functions, RE2 regexp_matches, date_diff/date_trunc.
import type { TimeUnit } from '../ast.js';
import type { ScalarType } from '../catalogue.js';
import type { DialectAdapter, Temporal } from './dialect.js';

const SQL_TYPES: Readonly<Record<ScalarType, string>> = {
  string: 'VARCHAR', integer: 'BIGINT', number: 'DOUBLE', boolean: 'BOOLEAN', date: 'DATE', 'date-time': 'TIMESTAMP',
};

const CLOCK_MICROS: Readonly<Partial<Record<TimeUnit, number>>> = { second: 1e6, minute: 60e6, hour: 3600e6 };

const asTimestamp = (value: Temporal): string => (value.type === 'date' ? `CAST(${value.sql} AS TIMESTAMP)` : value.sql);
const asDate = (value: Temporal): string => (value.type === 'date' ? value.sql : `CAST(${value.sql} AS DATE)`);

export const duckdbDialect: DialectAdapter = {
  quoteIdentifier: (name) => `"${name.replaceAll('"', '""')}"`,
  parameter: (index) => `$${index}`,
  integerLiteral: (value) => String(value),
  // An exponent makes DuckDB read the constant as DOUBLE (a plain `1.5` would be a DECIMAL).
  numberLiteral: (value) => {
    const text = String(value);
    return text.includes('e') ? text : `${text}e0`;
  },
  booleanLiteral: (value) => (value ? 'true' : 'false'),
  dateLiteral: (iso) => `DATE '${iso}'`,
  timestampLiteral: (iso) => `TIMESTAMP '${iso}'`,
  listLiteral: (items, itemType) => (items.length === 0 ? `CAST([] AS ${SQL_TYPES[itemType]}[])` : `[${items.join(', ')}]`),
  // DuckDB's `/` is already floating-point division, but yields ±Infinity (and `%` NaN on doubles) for 0.
  divide: (left, right, rightNonZero) => `(${left} / ${rightNonZero ? right : `nullif(${right}, 0)`})`,
  modulo: (left, right, rightNonZero) => `(${left} % ${rightNonZero ? right : `nullif(${right}, 0)`})`,
  lower: (value) => `lower(${value})`,
  startsWith: (value, prefix) => `starts_with(${value}, ${prefix})`,
  endsWith: (value, suffix) => `ends_with(${value}, ${suffix})`,
  contains: (value, part) => `contains(${value}, ${part})`,
  like: (value, pattern) => `(${value} LIKE ${pattern} ESCAPE '\\')`,
  regexMatches: (value, pattern) => `regexp_matches(${value}, ${pattern})`,
  listContains: (list, element) => `list_contains(${list}, ${element})`,
  listHasAny: (list, other) => `list_has_any(${list}, ${other})`,
  listHasAll: (list, subset) => `list_has_all(${list}, ${subset})`,
  listDistinct: (list) => `list_distinct(${list})`,
  listLength: (list) => `len(${list})`,
  unitDifference: (unit, earlier, later) => {
    const micros = CLOCK_MICROS[unit];
    if (micros !== undefined) return `fdiv(epoch_us(${asTimestamp(later)}) - epoch_us(${asTimestamp(earlier)}), ${micros})`;
    if (unit === 'day') return `(${asDate(later)} - ${asDate(earlier)})`;
    // date_diff('week') counts 7-day spans, not Monday boundaries: difference of the Mondays instead.
    if (unit === 'week') {
      return `((CAST(date_trunc('week', ${later.sql}) AS DATE) - CAST(date_trunc('week', ${earlier.sql}) AS DATE)) // 7)`;
    }
    // date_diff counts month/year boundaries crossed: the difference of the truncated values.
    return `date_diff('${unit}', ${asDate(earlier)}, ${asDate(later)})`;
  },
  toDate: asDate,
  dayAfter: (value) => `(${value} + INTERVAL 1 DAY)`,
};
