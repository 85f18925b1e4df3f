// The shape of a demo file's generating query, and how it becomes one typed SELECT over a table of row numbers.
import type { FieldType, ScalarFieldType, SchemaField } from '../engine/lake-schema.js';
import { randomIndex } from './demo-random-sql.js';

/**
 * The table of row numbers a file is generated from: column `i`, 0 … rows-1 in order. A table rather than
 * `range()`, because DuckDB scans a table on every thread (one row group each) but `range()` on one.
 */
export const ROW_NUMBERS = 'demo_row_numbers';

/** Fills {@link ROW_NUMBERS} (a temporary table of the connection) with `$rowCount` rows. */
export const CREATE_ROW_NUMBERS_SQL = `CREATE OR REPLACE TEMP TABLE ${ROW_NUMBERS} AS SELECT range AS i FROM range($rowCount::BIGINT)`;

/**
 * How one demo file is generated: named subqueries (`name AS (SELECT …)`) over {@link ROW_NUMBERS} and
 * `params`, and an SQL expression per field path over the last of them. `params` has one row: `seed`
 * (BIGINT), `as_of` (DATE), `as_of_ms` (BIGINT, epoch ms of as_of), `profile_count` and `row_count` (BIGINT).
 */
export interface DemoQuery {
  readonly relations: readonly string[];
  /** The relation the fields are computed over. */
  readonly from: string;
  /** One expression per column of the file, keyed by field path. */
  readonly fields: Readonly<Record<string, string>>;
}

/** The query parameters, bound by name. */
export interface DemoQueryParameters {
  readonly seed: number;
  /** `YYYY-MM-DD` */
  readonly asOf: string;
  readonly profileCount: number;
  /** Rows of this file. */
  readonly rowCount: number;
}

const PARAMS = `params AS (SELECT $seed::BIGINT AS seed, $asOf::DATE AS as_of, epoch_ms($asOf::DATE::TIMESTAMP) AS as_of_ms,
  $profileCount::BIGINT AS profile_count, $rowCount::BIGINT AS row_count)`;

const SCALAR_SQL_TYPES: Record<ScalarFieldType, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  'date-time': 'TIMESTAMPTZ',
};

/** The DuckDB type a field is generated as (and written as, in Parquet). */
export function sqlTypeOf(field: { readonly type: FieldType; readonly items?: ScalarFieldType }): string {
  if (field.type !== 'array') return SCALAR_SQL_TYPES[field.type];
  if (field.items === undefined) throw new Error('an array field needs items');
  return `${SCALAR_SQL_TYPES[field.items]}[]`;
}

/** A double-quoted SQL identifier (field paths contain dots). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The SELECT producing a file's rows, one column per field named by its path and typed by {@link sqlTypeOf}.
 * Fails when the query and the fields disagree, so a schema change cannot silently drop a column.
 */
export function typedSelect(query: DemoQuery, fields: readonly SchemaField[]): string {
  const declared = new Set(fields.map((field) => field.path));
  const extra = Object.keys(query.fields).filter((path) => !declared.has(path));
  if (extra.length > 0) throw new Error(`demo query computes undeclared fields: ${extra.join(', ')}`);
  const columns = fields.map((field) => {
    const expression = query.fields[field.path];
    if (expression === undefined) throw new Error(`demo query has no expression for field ${field.path}`);
    return `CAST(${expression} AS ${sqlTypeOf(field)}) AS ${quoteIdentifier(field.path)}`;
  });
  return `WITH ${[PARAMS, ...query.relations].join(',\n')}\nSELECT ${columns.join(',\n  ')}\nFROM ${query.from}`;
}

/** Named parameter values for {@link typedSelect}'s SQL. */
export function queryParameterValues(parameters: DemoQueryParameters): Record<string, string | number> {
  return { seed: parameters.seed, asOf: parameters.asOf, profileCount: parameters.profileCount, rowCount: parameters.rowCount };
}

/** A uniformly random time in the `days` days before `as_of` (midnight UTC), as TIMESTAMP. */
export function instantWithinDaysBefore(days: number, salt: string, key: string): string {
  return `epoch_ms(as_of_ms - 1 - ${randomIndex(days * 86_400_000, salt, key)})`;
}
