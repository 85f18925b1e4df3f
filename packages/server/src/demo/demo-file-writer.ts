// How a typed demo SELECT is written as CSV, NDJSON or Parquet, following the ingestion rules of SPEC §3.4.
import type { InputFormat, ScalarFieldType, SchemaField } from '../engine/lake-schema.js';
import { assertNever } from '../errors.js';
import { quoteIdentifier } from './demo-query.js';
import { sqlString } from './demo-random-sql.js';

export type DemoDataFormat = 'csv' | 'ndjson' | 'parquet';

export const DEMO_DATA_FORMATS: readonly DemoDataFormat[] = ['csv', 'ndjson', 'parquet'];

/** The `inputFormat.format` of a batch that uploads a file of this format (SPEC §3.3). */
export const BATCH_INPUT_FORMAT: Record<DemoDataFormat, InputFormat> = { csv: 'csv', ndjson: 'json', parquet: 'parquet' };

/** RFC 3339 in UTC with milliseconds, e.g. `2025-01-07T08:00:00.000Z` (connections run in UTC). */
const DATE_TIME_FORMAT = "'%Y-%m-%dT%H:%M:%S.%gZ'";

/** A scalar column as text, the way CSV and JSON carry it: dates and instants as strings, the rest as is. */
function scalarAsText(column: string, type: ScalarFieldType): string {
  switch (type) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return column;
    case 'date':
      return `strftime(${column}, '%Y-%m-%d')`;
    case 'date-time':
      return `strftime(${column}, ${DATE_TIME_FORMAT})`;
    default:
      return assertNever(type);
  }
}

/** A CSV cell: arrays as JSON text (`["email","sms"]`), NULL as an empty cell. */
function csvCell(field: SchemaField): string {
  const column = quoteIdentifier(field.path);
  if (field.type === 'array') return `to_json(${column})::VARCHAR`;
  return scalarAsText(column, field.type);
}

/** A JSON value: arrays stay lists, dates and instants become strings. */
function jsonValue(field: SchemaField): string {
  const column = quoteIdentifier(field.path);
  if (field.type !== 'array') return scalarAsText(column, field.type);
  if (field.items === 'date' || field.items === 'date-time') return `list_transform(${column}, lambda v: ${scalarAsText('v', field.items)})`;
  return column;
}

interface PathTree {
  readonly children: Map<string, PathTree | SchemaField>;
}

/** Nested `struct_pack`s for the dotted paths, so NDJSON lines are nested objects in field order. */
function nestedStructs(fields: readonly SchemaField[]): string[] {
  const root: PathTree = { children: new Map() };
  for (const field of fields) {
    const segments = field.path.split('.');
    let node = root;
    for (const segment of segments.slice(0, -1)) {
      const next = node.children.get(segment);
      if (next !== undefined && !('children' in next)) throw new Error(`field ${field.path} is nested under the scalar field ${next.path}`);
      const child = next ?? { children: new Map() };
      node.children.set(segment, child);
      node = child;
    }
    node.children.set(segments.at(-1) ?? field.path, field);
  }
  const leaves = (node: PathTree): SchemaField[] => [...node.children.values()].flatMap((child) => ('children' in child ? leaves(child) : [child]));
  const entries = (node: PathTree): [string, string][] =>
    [...node.children].map(([name, child]) => [name, 'children' in child ? struct(child) : jsonValue(child)]);
  // An object whose every leaf is missing is written as null: shorter lines, same meaning (SPEC §4.3).
  const struct = (node: PathTree) => {
    const allMissing = leaves(node).map((leaf) => `${quoteIdentifier(leaf.path)} IS NULL`).join(' AND ');
    const members = entries(node).map(([name, value]) => `${quoteIdentifier(name)} := ${value}`).join(', ');
    return `CASE WHEN ${allMissing} THEN NULL ELSE struct_pack(${members}) END`;
  };
  return entries(root).map(([name, value]) => `${value} AS ${quoteIdentifier(name)}`);
}

/** The projection of one format over the typed SELECT's columns. */
function projection(fields: readonly SchemaField[], format: DemoDataFormat): string {
  switch (format) {
    case 'csv':
      return fields.map((field) => `${csvCell(field)} AS ${quoteIdentifier(field.path)}`).join(', ');
    case 'ndjson':
      return nestedStructs(fields).join(', ');
    case 'parquet':
      // Flat columns named by field path, typed (DATE, TIMESTAMPTZ, BIGINT, DOUBLE, BOOLEAN, lists).
      return fields.map((field) => quoteIdentifier(field.path)).join(', ');
    default:
      return assertNever(format);
  }
}

const COPY_OPTIONS: Record<DemoDataFormat, string> = {
  csv: "FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"'",
  ndjson: 'FORMAT json',
  parquet: 'FORMAT parquet',
};

/** `COPY (…) TO path`: the rows of `typedSelect` (columns named by field path) written to `path` in `format`. */
export function copyToFileSql(typedSelect: string, fields: readonly SchemaField[], format: DemoDataFormat, path: string): string {
  return `COPY (SELECT ${projection(fields, format)} FROM (${typedSelect})) TO ${sqlString(path)} (${COPY_OPTIONS[format]})`;
}
