// The attribute merge of one profile (SPEC §4.3), in memory over the few fragment rows a lookup read for it.
import type { ScalarFieldType, SchemaField } from '../lake-schema.js';

/**
 * A fragment as read from a fragments file (FRAGMENT_COLUMNS and the dataset's fields, as JavaScript values:
 * timestamps as Date, which hold the lake's millisecond timestamps exactly).
 */
export type FragmentRow = Readonly<Record<string, unknown>>;

/** The fragments of one profile in one profile dataset. */
export interface DatasetFragments {
  readonly datasetId: string;
  readonly fields: readonly SchemaField[];
  /** {@link precedenceOf}: undefined when the dataset's attributes are not merged (unlisted under dataSetPrecedence). */
  readonly precedence: number | undefined;
  readonly rows: readonly FragmentRow[];
}

export interface MergedFragments {
  /** path → winning value (absent paths have none). */
  readonly values: Readonly<Record<string, unknown>>;
  /** The union of the fields of the datasets with fragments, in first-declaration order. */
  readonly fields: readonly SchemaField[];
  /** Sorted ids of the datasets with fragments. */
  readonly sources: readonly string[];
  /** The newest fragment time (epoch ms), undefined without fragments. */
  readonly lastModifiedMs: number | undefined;
  /** The primary identity node of the newest fragment. */
  readonly primaryNode: bigint | undefined;
}

/** The columns of a fragment row that place it in time (see {@link compareFragmentAge}), and its primary identity node. */
const FRAGMENT_AGE_COLUMNS = ['$pnode', '$fragment_time', '$batch_completed_at', '$batch', '$file', '$row', '$rn'] as const;

const utf8 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : '', 'utf8');

const orderable = (value: unknown): bigint => (typeof value === 'bigint' ? value : BigInt(value instanceof Date ? value.getTime() : Number(value)));

/** -1, 0, 1 for two nullable numbers, bigints or dates, NULL first. */
function compareNullable(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  const x = orderable(a);
  const y = orderable(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Fragment age, oldest first: `"$fragment_time"` (timestampField value, else batch completion), then
 * `"$batch_completed_at"`, then the batch's position in the scope, then file name (byte order, as DuckDB sorts),
 * row and row in part — so for fully equal times the later batch wins, then the later file, then the later row.
 */
export function compareFragmentAge(a: FragmentRow, b: FragmentRow): number {
  return (
    compareNullable(a['$fragment_time'], b['$fragment_time']) ||
    compareNullable(a['$batch_completed_at'], b['$batch_completed_at']) ||
    compareNullable(a['$batch'], b['$batch']) ||
    Buffer.compare(utf8(a['$file']), utf8(b['$file'])) ||
    compareNullable(a['$row'], b['$row']) ||
    compareNullable(a['$rn'], b['$rn'])
  );
}

/**
 * Each attribute takes the value of the highest-ranked fragment that has one: rank = precedence weight, then age
 * ({@link compareFragmentAge}). Null means absent; empty strings and lists are values; lists are taken whole.
 */
export function mergeFragments(datasets: readonly DatasetFragments[]): MergedFragments {
  const ranked = datasets.flatMap((dataset) => dataset.rows.map((row) => ({ dataset, row })));
  ranked.sort((a, b) => (a.dataset.precedence ?? 0) - (b.dataset.precedence ?? 0) || compareFragmentAge(a.row, b.row));
  // Null prototype: a declared path such as `__proto__`, `constructor` or `toString` is an ordinary key.
  const values = Object.create(null) as Record<string, unknown>;
  // Newest-ranked first: the first non-null value of a path wins.
  for (let index = ranked.length - 1; index >= 0; index--) {
    const { dataset, row } = ranked[index] as (typeof ranked)[number];
    for (const field of dataset.fields) {
      if (dataset.precedence === undefined || Object.hasOwn(values, field.path)) continue;
      const value = Object.hasOwn(row, field.path) ? row[field.path] : undefined;
      if (value !== null && value !== undefined) values[field.path] = value;
    }
  }
  // Fields in first-declaration order over the datasets (as the union schema orders them).
  const ordered = new Map<string, SchemaField>();
  for (const dataset of datasets) if (dataset.rows.length > 0) for (const field of dataset.fields) if (!ordered.has(field.path)) ordered.set(field.path, field);
  const newest = ranked.map(({ row }) => row).sort(compareFragmentAge).at(-1);
  return {
    values,
    fields: [...ordered.values()],
    sources: [...new Set(datasets.filter((dataset) => dataset.rows.length > 0).map((dataset) => dataset.datasetId))].sort(),
    lastModifiedMs: newest?.['$fragment_time'] instanceof Date ? newest['$fragment_time'].getTime() : undefined,
    primaryNode: newest === undefined ? undefined : (newest['$pnode'] as bigint),
  };
}

/** A value of the long form back as the columnar form reads it (bigint, number, boolean, Date; dates as `YYYY-MM-DD`). */
function parseStored(text: string, type: ScalarFieldType): unknown {
  switch (type) {
    case 'integer':
      return BigInt(text);
    case 'number':
      return Number(text);
    case 'boolean':
      return text === 'true';
    case 'date-time':
      return new Date(Number(text));
    default:
      return text;
  }
}

/**
 * Fragments of a long-form fragments file (merge-sql.ts): rows of one fragment share `("$fid", "$rn")`; `"$field"` -1
 * carries the fragment alone, other rows one value of the declared field at that index.
 */
export function fragmentsFromLongRows(rows: readonly Readonly<Record<string, unknown>>[], fields: readonly SchemaField[]): FragmentRow[] {
  const fragments = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    const key = `${String(row['$fid'])}:${String(row['$rn'])}`;
    let fragment = fragments.get(key);
    if (fragment === undefined) {
      // Null prototype: declared paths such as `__proto__` or `toString` are ordinary keys.
      fragment = Object.create(null) as Record<string, unknown>;
      for (const column of FRAGMENT_AGE_COLUMNS) fragment[column] = row[column];
      fragments.set(key, fragment);
    }
    const field = fields[Number(row['$field'])];
    if (field === undefined) continue;
    const list = row['$list'];
    const text = row['$value'];
    if (field.type === 'array' && Array.isArray(list)) fragment[field.path] = list.map((item) => parseStored(String(item), field.items ?? 'string'));
    else if (typeof text === 'string') fragment[field.path] = parseStored(text, field.type === 'array' ? 'string' : field.type);
  }
  return [...fragments.values()];
}
