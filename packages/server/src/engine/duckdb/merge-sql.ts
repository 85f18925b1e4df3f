// Attribute merge (SPEC §4.3) over the lake: the profile tables a lookup merges one profile from.
//
// The build never makes a row as wide as the union schema: each profile dataset gets its own table of fragments
// tagged with their profile and sorted by it, so build cost follows the data stored and a lookup reads a few rows
// of each table (see profile-merge.ts for the merge of those rows). Layout of a `profiles-<key>` cache directory:
// Every table is sharded by profile (sharded-parquet.ts).
//   fragments-<n>/          profile dataset n (canonical order) with at least one batch, either
//                           - columnar (≤ MAX_COLUMNAR_FIELDS declared fields): FRAGMENT_COLUMNS + its typed fields, or
//                           - long (wider datasets): FRAGMENT_COLUMNS, `_fid`, and one row per non-null value
//                             (`__field` = index of the declared field, `__value` VARCHAR or `__list` VARCHAR[], see
//                             storedValueSql) plus one row with `__field` = -1 per fragment
//   event-latest/           per profile with events: its newest event (`__profile, __last, __primary_node`)
// Why two forms: DuckDB moves rows in chunks of 2,048 with a buffer per column (32 KiB for VARCHAR), so sorting
// and writing a 1,000-column dataset holds ~32 MB per chunk in flight and runs out of a 512 MB limit with three
// rows; the long form keeps every materialising step narrow, but repeats the fragment columns per value.
import type { LakeDataset, MergeRules } from '../engine.js';
import type { ScalarFieldType, SchemaField } from '../lake-schema.js';
import { declaredFields, quoteIdentifier, type SourceView } from './lake-sources-sql.js';
import { readAllShardsSql, type ShardedCopy } from './sharded-parquet.js';
import { GRAPH_FILES } from './stitching-sql.js';

/** Sharded table (sharded-parquet.ts, by profile) of the fragments of the profile dataset at `index` in canonical order. */
export function fragmentsFile(index: number): string {
  return `fragments-${index}`;
}

/** Datasets with more declared fields than this are stored in the long form (see the file header). */
export const MAX_COLUMNAR_FIELDS = 64;

/** Whether the fragments file of `dataset` is in the long form. */
export function storesLong(dataset: LakeDataset): boolean {
  return declaredFields(dataset).length > MAX_COLUMNAR_FIELDS;
}

/** A scalar value as the long form stores it: text as is, date-time as epoch milliseconds, others as DuckDB prints them. */
function storedScalarSql(value: string, type: ScalarFieldType): string {
  if (type === 'string') return value;
  return type === 'date-time' ? `CAST(epoch_ms(${value}) AS VARCHAR)` : `CAST(${value} AS VARCHAR)`;
}

/** One declared field's entry of the long form's value list (`f` its index, `s` a scalar, `l` a list). */
function storedValueSql(field: SchemaField, index: number): string {
  const column = `f.${quoteIdentifier(field.path)}`;
  return field.type === 'array'
    ? `{'f': ${index}, 's': NULL::VARCHAR, 'l': list_transform(${column}, lambda e: ${storedScalarSql('e', field.items ?? 'string')})}`
    : `{'f': ${index}, 's': ${storedScalarSql(column, field.type)}, 'l': NULL::VARCHAR[]}`;
}

/** Newest event per profile (sharded by profile). */
export const EVENT_LATEST_FILE = 'event-latest';

/**
 * System columns of a fragments file, before the dataset's declared fields: the fragment's profile, the graph node
 * of its primary identity, and its age (`_fragment_time`, `_batch_completed_at`, `_batch`, `_file`, `_row`, `_rn`).
 */
export const FRAGMENT_COLUMNS = ['__profile', '__pnode', '_fragment_time', '_batch_completed_at', '_batch', '_file', '_row', '_rn'] as const;

/**
 * The union schema of profile datasets: one attribute per path (same path = same attribute; the catalog
 * guarantees equal types), in first-declaration order over `datasets`.
 */
export function unionProfileFields(datasets: readonly LakeDataset[]): readonly SchemaField[] {
  const byPath = new Map<string, SchemaField>();
  for (const dataset of datasets) {
    for (const field of declaredFields(dataset)) if (!byPath.has(field.path)) byPath.set(field.path, field);
  }
  return [...byPath.values()];
}

/**
 * Precedence weight of a dataset's values: 0 for every dataset under timestampOrdered; under dataSetPrecedence
 * `order.length − index` for listed datasets (first listed weighs most) and `undefined` for unlisted ones,
 * whose attributes are not merged.
 */
export function precedenceOf(rules: MergeRules, datasetId: string): number | undefined {
  if (rules.attributeMerge.type === 'timestampOrdered') return 0;
  const index = rules.attributeMerge.order.indexOf(datasetId);
  return index < 0 ? undefined : rules.attributeMerge.order.length - index;
}

/** The identity-graph join of a source's records: `i` is the node of the record's primary identity, `profile` its profile. */
function profileJoinSql(graphDir: string, identityGraph: MergeRules['identityGraph']): { join: string; profile: string } {
  const identities = readAllShardsSql(`${graphDir}/${GRAPH_FILES.identities}`);
  return {
    join: `JOIN ${identities} i ON i.nsu = upper(f._primary_ns) AND i.id = f._primary_id`,
    // pdg: the component of the primary identity; none: the primary identity itself.
    profile: identityGraph === 'pdg' ? 'i.profile' : 'i.node',
  };
}

/** One profile dataset's fragments, tagged with their profile and sorted by it (table {@link fragmentsFile}). */
export function profileFragmentsCopy(source: SourceView, index: number, graphDir: string, identityGraph: MergeRules['identityGraph'], outputDir: string): ShardedCopy {
  const { join, profile } = profileJoinSql(graphDir, identityGraph);
  const age = 'f._fragment_time, f._batch_completed_at, f._batch, f._file, f._row, f._rn';
  const target = `${outputDir}/${fragmentsFile(index)}`;
  const fields = declaredFields(source.dataset);
  if (!storesLong(source.dataset)) {
    const columns = fields.map((field) => `, f.${quoteIdentifier(field.path)}`).join('');
    return { select: `SELECT ${profile} AS __profile, i.node AS __pnode, ${age}${columns} FROM ${source.view} f ${join} ORDER BY __profile`, key: '__profile', dir: target };
  }
  // Unnested before the join, so that only narrow rows are joined, sorted and written.
  const entries = ["{'f': -1, 's': NULL::VARCHAR, 'l': NULL::VARCHAR[]}", ...fields.map(storedValueSql)].join(', ');
  const values = `unnest(list_filter([${entries}], lambda x: x.f < 0 OR x.s IS NOT NULL OR x.l IS NOT NULL)) AS v`;
  const long = `SELECT f._primary_ns, f._primary_id, f._fid, ${age}, ${values} FROM ${source.view} f`;
  return {
    select:
      `SELECT ${profile} AS __profile, i.node AS __pnode, f._fid, ${age}, f.v.f AS __field, f.v.s AS __value, f.v.l AS __list ` +
      `FROM (${long}) f ${join} ORDER BY __profile`,
    key: '__profile',
    dir: target,
  };
}

/**
 * The newest event of each profile ({@link EVENT_LATEST_FILE}): `__last` its fragment time and
 * `__primary_node` the node of its primary identity; "newest" by fragment time, then batch completion, batch,
 * file, row. Only profiles without profile fragments use it (their primary identity and last modification).
 */
export function eventLatestCopy(events: readonly SourceView[], graphDir: string, identityGraph: MergeRules['identityGraph'], outputDir: string): ShardedCopy {
  const { join, profile } = profileJoinSql(graphDir, identityGraph);
  const rows = events.map(({ view }) => `SELECT _primary_ns, _primary_id, _fragment_time, _batch_completed_at, _batch, _file, _row, _rn FROM ${view}`);
  const newest = `max({'t': f._fragment_time, 'c': f._batch_completed_at, 'b': f._batch, 'f': f._file, 'r': f._row, 'n': f._rn, 'node': i.node})`;
  return {
    select:
      `SELECT __profile, newest.t AS __last, newest.node AS __primary_node FROM (` +
      `SELECT ${profile} AS __profile, ${newest} AS newest FROM (${rows.join(' UNION ALL ')}) f ${join} GROUP BY ALL) ORDER BY __profile`,
    key: '__profile',
    dir: `${outputDir}/${EVENT_LATEST_FILE}`,
  };
}
