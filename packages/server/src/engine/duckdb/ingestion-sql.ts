// SQL building blocks of ingestion: quoting, bound parameters, and the text → declared type conversions with their error codes.
//
// Every reader hands validation the cells as text (CSV as read, JSON scalars unquoted, Parquet values cast
// to VARCHAR); the expressions here decide, per value, the typed value and the row error code, in DuckDB.
import type { DuckDBValue } from '@duckdb/node-api';
import type { FieldType, RowErrorCode, ScalarFieldType } from '../lake-schema.js';
import { quoteIdentifier, sqlStringLiteral as sqlString } from './sql-text.js';

/** A SQL text with the named parameters (`$name`) it may use. */
export interface BoundSql {
  readonly sql: string;
  readonly params: Readonly<Record<string, DuckDBValue>>;
}

export { quoteIdentifier, sqlString };

export function sqlStringList(values: readonly string[]): string {
  return values.length === 0 ? '[]::VARCHAR[]' : `[${values.map(sqlString).join(', ')}]`;
}

/**
 * Only the parameters `sql` refers to: DuckDB refuses a statement given parameters it does not use. Quoted
 * internal column names (`"$row"`) are identifiers, not parameters.
 */
export function paramsUsedBy(sql: string, params: Readonly<Record<string, DuckDBValue>>): Record<string, DuckDBValue> {
  const used: Record<string, DuckDBValue> = {};
  for (const match of sql.matchAll(/(?<!")\$([A-Za-z_][A-Za-z0-9_]*)/gu)) {
    const name = match[1] as string;
    if (name in params) used[name] = params[name] as DuckDBValue;
  }
  return used;
}

/**
 * `json` (a JSON expression) unless its text has `NaN` or `Infinity`, which DuckDB reads and writes but JSON
 * does not have; then the JSON string of `fallbackText`, so the error files always hold valid JSON.
 */
export function standardJsonSql(json: string, fallbackText: string): string {
  return `CASE WHEN contains(${json}::VARCHAR, 'NaN') OR contains(${json}::VARCHAR, 'Infinity') THEN to_json(${fallbackText}) ELSE ${json} END`;
}

/** ASCII whitespace (space, tab, LF, VT, FF, CR): what is trimmed around numbers, booleans, dates and identities. */
const WHITESPACE = ' \t\n\u000b\f\r';

/**
 * The whitespace characters as one SQL literal, written raw. (A `chr(9) || …` expression is not folded into a
 * constant before common-subexpression extraction, which then evaluates it — and every `trim` using it — on all rows.)
 */
export const WHITESPACE_SQL = sqlString(WHITESPACE);

/** `trim` for any ASCII whitespace, not only spaces. */
export function trimSql(text: string): string {
  return `trim(${text}, ${WHITESPACE_SQL})`;
}

/** `trimSql`, skipped (it costs more than the checks) when the text neither starts nor ends with whitespace. */
export function trimWhenNeededSql(text: string): string {
  const endsWithSpace = [...WHITESPACE].map((character) => `suffix(${text}, ${sqlString(character)})`).join(' OR ');
  return `CASE WHEN ascii(${text}) > 32 AND NOT (${endsWithSpace}) THEN ${text} ELSE ${trimSql(text)} END`;
}

const INTEGER_PATTERN = '[+-]?[0-9]+';
const NUMBER_PATTERN = '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?';
const NON_FINITE_PATTERN = '(?i)[+-]?(nan|inf|infinity)';
const DATE_PATTERN = '[0-9]{4}-[0-9]{2}-[0-9]{2}';
/** RFC 3339 (`T`, `t` or space; fraction optional; a missing offset means UTC). */
const DATE_TIME_PATTERN = `${DATE_PATTERN}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?`;

/** Exact date-time shapes taken without the pattern (see convertScalarSql). */
const DATE_TIME_SHAPES = ['____-__-__T__:__:__Z', '____-__-__T__:__:__+__:__', '____-__-__T__:__:__-__:__'];

/** `pattern` with optional surrounding whitespace (RE2 `\s` is the same ASCII set as WHITESPACE). */
const padded = (pattern: string) => `\\s*(${pattern})\\s*`;

/** The DuckDB type of a declared field in the lake. */
export function lakeSqlType(type: FieldType, items: ScalarFieldType | undefined): string {
  return type === 'array' ? `${SCALAR_SQL_TYPES[items ?? 'string']}[]` : SCALAR_SQL_TYPES[type];
}

const SCALAR_SQL_TYPES: Record<ScalarFieldType, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  'date-time': 'TIMESTAMP',
};

/**
 * How one present value converts: `value` is the typed value, NULL when the value does not convert; `failure`
 * says why (an error code) and is only evaluated for values that did not convert, so it may be slower.
 */
export interface ConversionSql {
  readonly value: string;
  readonly failure: string;
}

const TYPE_MISMATCH = sqlString('TYPE_MISMATCH' satisfies RowErrorCode);
const OUT_OF_RANGE = sqlString('VALUE_OUT_OF_RANGE' satisfies RowErrorCode);

/**
 * Converts `text` (a non-NULL VARCHAR expression) to `type`; `container` is a BOOLEAN expression that is true
 * when the value was an object, array or struct (never acceptable for a scalar type).
 *
 * Each conversion first tries the text as it is and only when that fails retries it trimmed (and, for
 * date-times, with `t`/`z` upper-cased): `coalesce` and `CASE` evaluate later arguments only for the rows
 * still unresolved, and trimming every value costs more than converting it. The retry mentions the trimmed
 * text once, so common-subexpression extraction does not hoist it out of its lazy branch.
 */
export function convertScalarSql(type: ScalarFieldType, text: string, container: string): ConversionSql {
  const trimmed = trimSql(text);
  const matches = (value: string, pattern: string) => `regexp_full_match(${value}, ${sqlString(pattern)})`;
  const scalar = (value: string) => `CASE WHEN NOT ${container} THEN ${value} END`;
  const castMatching = (pattern: string, sqlType: string, retryText = trimmed) =>
    `coalesce(CASE WHEN ${matches(text, pattern)} THEN TRY_CAST(${text} AS ${sqlType}) END, ` +
    `CASE WHEN ${matches(text, padded(pattern))} THEN TRY_CAST(${retryText} AS ${sqlType}) END)`;
  switch (type) {
    case 'string':
      return { value: scalar(text), failure: TYPE_MISMATCH };
    case 'integer': {
      // Canonical integers (what exports write) convert without a regular expression: the text is the cast's own rendering.
      const canonical = `CASE WHEN TRY_CAST(${text} AS BIGINT)::VARCHAR = ${text} THEN TRY_CAST(${text} AS BIGINT) END`;
      return {
        value: scalar(`coalesce(${canonical}, ${castMatching(INTEGER_PATTERN, 'BIGINT')})`),
        failure: `CASE WHEN NOT ${container} AND ${matches(text, padded(INTEGER_PATTERN))} THEN ${OUT_OF_RANGE} ELSE ${TYPE_MISMATCH} END`,
      };
    }
    case 'number': {
      const number = castMatching(NUMBER_PATTERN, 'DOUBLE');
      return {
        value: scalar(`CASE WHEN isfinite(${number}) THEN ${number} END`),
        failure:
          `CASE WHEN NOT ${container} AND (${matches(text, padded(NUMBER_PATTERN))} OR ${matches(text, padded(NON_FINITE_PATTERN))}) ` +
          `THEN ${OUT_OF_RANGE} ELSE ${TYPE_MISMATCH} END`,
      };
    }
    case 'boolean': {
      const retry = `CASE lower(${trimmed}) WHEN 'true' THEN true WHEN 'false' THEN false END`;
      return { value: scalar(`CASE ${text} WHEN 'true' THEN true WHEN 'false' THEN false ELSE ${retry} END`), failure: TYPE_MISMATCH };
    }
    case 'date':
      return { value: scalar(castMatching(DATE_PATTERN, 'DATE')), failure: TYPE_MISMATCH };
    case 'date-time': {
      // The usual shapes (`…T10:00:00Z`, `…T10:00:00+02:00`) are recognised by LIKE, twice as cheap as the pattern;
      // the cast checks the digits. Anything else (fractions, lower case, spaces) takes the pattern.
      const usual = DATE_TIME_SHAPES.map((shape) => `${text} LIKE ${sqlString(shape)}`).join(' OR ');
      const fast = `CASE WHEN (${usual}) AND ascii(${text}) BETWEEN 48 AND 57 AND NOT contains(${text}, ' ') THEN TRY_CAST(${text} AS TIMESTAMPTZ) END`;
      return { value: scalar(utcMillisecondsSql(`coalesce(${fast}, ${castMatching(DATE_TIME_PATTERN, 'TIMESTAMPTZ', `upper(${trimmed})`)})`)), failure: TYPE_MISMATCH };
    }
  }
}

/**
 * A TIMESTAMPTZ as UTC wall time, floored to the millisecond. Integer arithmetic on epoch microseconds: it
 * does not depend on the session time zone and avoids ICU (`timezone('UTC', …)` costs 4× more).
 */
export function utcMillisecondsSql(instant: string): string {
  const micros = `epoch_us(${instant})`;
  return `make_timestamp(${micros} - ((${micros} % 1000) + 1000) % 1000)`;
}

/**
 * Converts `text` holding a JSON array (CSV cell text, JSON value, Parquet list as JSON) to a typed list.
 * Elements convert like scalars of `items`; a null, object or array element makes the value invalid, which
 * shows as a NULL element in `value` (see {@link invalidValueSql}).
 */
export function convertArraySql(items: ScalarFieldType, text: string): ConversionSql {
  const elements = `TRY_CAST(${text} AS JSON[])`;
  const element = convertScalarSql(items, `json_extract_string("$el", '$')`, `(json_type("$el") IN ('OBJECT', 'ARRAY'))`);
  const elementFailure = `CASE WHEN json_type("$el") = 'NULL' THEN ${TYPE_MISMATCH} WHEN (${element.value}) IS NULL THEN ${element.failure} END`;
  return {
    value: `list_transform(${elements}, lambda "$el": ${element.value})`,
    failure: `coalesce(list_filter(list_transform(${elements}, lambda "$el": ${elementFailure}), lambda "$code": "$code" IS NOT NULL)[1], ${TYPE_MISMATCH})`,
  };
}

/** True when a present value did not convert (`typed` is the converted value's column). */
export function invalidValueSql(type: FieldType, typed: string): string {
  return type === 'array' ? `(${typed} IS NULL OR list_count(${typed}) <> len(${typed}))` : `${typed} IS NULL`;
}

/** What a row error says, per field type and code (never the value). */
export function fieldErrorMessage(type: FieldType, items: ScalarFieldType | undefined, code: RowErrorCode): string {
  if (code === 'REQUIRED_FIELD_MISSING') return 'required field is empty or absent';
  if (code === 'VALUE_OUT_OF_RANGE') {
    const scalar = type === 'array' ? (items ?? 'string') : type;
    return scalar === 'integer' ? `${type === 'array' ? 'array element: ' : ''}integer outside the 64-bit range` : `${type === 'array' ? 'array element: ' : ''}number is not finite`;
  }
  if (type === 'array') return `expected a JSON array of ${items ?? 'string'} values`;
  return TYPE_MISMATCH_MESSAGES[type];
}

const TYPE_MISMATCH_MESSAGES: Record<ScalarFieldType, string> = {
  string: 'expected a string, found an object or array',
  integer: 'expected an integer',
  number: 'expected a number',
  boolean: 'expected true or false',
  date: 'expected a date (YYYY-MM-DD)',
  'date-time': 'expected an RFC 3339 date-time',
};
