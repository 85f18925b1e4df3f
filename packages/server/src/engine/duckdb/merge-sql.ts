// Attribute merge (SPEC §4.3) over the lake: the profile tables a lookup merges one profile from.
//
// The build never makes a row as wide as the union schema: each profile dataset gets its own table of fragments
// tagged with their profile and sorted by it, so build cost follows the data stored and a lookup reads a few rows
// of each table (see profile-merge.ts for the merge of those rows). Layout of a `profiles-<key>` cache directory:
// Every table is sharded by profile (sharded-parquet.ts).
//   fragments-<n>/          profile dataset n (canonical order) with at least one batch, either
//                           - columnar (≤ MAX_COLUMNAR_FIELDS declared fields): FRAGMENT_COLUMNS + its typed fields, or
//                           - long (wider datasets): FRAGMENT_COLUMNS, `"$fid"`, and one row per non-null value
//                             (`"$field"` = index of the declared field, `"$value"` VARCHAR or `"$list"` VARCHAR[], see
//                             storedValueSql) plus one row with `"$field"` = -1 per fragment
//   event-latest/           per profile with events: its newest event (`"$profile", "$last", "$primary_node"`)
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
    ? `{'f': ${index}, 's': NULL::VARCHAR, 'l': list_transform(${column}, lambda "$e": ${storedScalarSql('"$e"', field.items ?? 'string')})}`
    : `{'f': ${index}, 's': ${storedScalarSql(column, field.type)}, 'l': NULL::VARCHAR[]}`;
}

/** Newest event per profile (sharded by profile). */
export const EVENT_LATEST_FILE = 'event-latest';

/**
 * System columns of a fragments file, before the dataset's declared fields: the fragment's profile, the graph node
 * of its primary identity, and its age (`"$fragment_time"`, `"$batch_completed_at"`, `"$batch"`, `"$file"`, `"$row"`, `"$rn"`).
 */
export const FRAGMENT_COLUMNS = ['$profile', '$pnode', '$fragment_time', '$batch_completed_at', '$batch', '$file', '$row', '$rn'] as const;

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
    join: `JOIN ${identities} i ON i.nsu = upper(f."$primary_ns") AND i.id = f."$primary_id"`,
    // pdg: the component of the primary identity; none: the primary identity itself.
    profile: identityGraph === 'pdg' ? 'i.profile' : 'i.node',
  };
}

/** One profile dataset's fragments, tagged with their profile and sorted by it (table {@link fragmentsFile}). */
export function profileFragmentsCopy(source: SourceView, index: number, graphDir: string, identityGraph: MergeRules['identityGraph'], outputDir: string): ShardedCopy {
  const { join, profile } = profileJoinSql(graphDir, identityGraph);
  const age = 'f."$fragment_time", f."$batch_completed_at", f."$batch", f."$file", f."$row", f."$rn"';
  const target = `${outputDir}/${fragmentsFile(index)}`;
  const fields = declaredFields(source.dataset);
  if (!storesLong(source.dataset)) {
    const columns = fields.map((field) => `, f.${quoteIdentifier(field.path)}`).join('');
    return { select: `SELECT ${profile} AS "$profile", i.node AS "$pnode", ${age}${columns} FROM ${source.view} f ${join} ORDER BY "$profile"`, key: '"$profile"', dir: target };
  }
  // Unnested before the join, so that only narrow rows are joined, sorted and written.
  const entries = ["{'f': -1, 's': NULL::VARCHAR, 'l': NULL::VARCHAR[]}", ...fields.map(storedValueSql)].join(', ');
  const values = `unnest(list_filter([${entries}], lambda "$x": "$x".f < 0 OR "$x".s IS NOT NULL OR "$x".l IS NOT NULL)) AS v`;
  const long = `SELECT f."$primary_ns", f."$primary_id", f."$fid", ${age}, ${values} FROM ${source.view} f`;
  return {
    select:
      `SELECT ${profile} AS "$profile", i.node AS "$pnode", f."$fid", ${age}, f.v.f AS "$field", f.v.s AS "$value", f.v.l AS "$list" ` +
      `FROM (${long}) f ${join} ORDER BY "$profile"`,
    key: '"$profile"',
    dir: target,
  };
}

/**
 * The newest event of each profile ({@link EVENT_LATEST_FILE}): `"$last"` its fragment time and
 * `"$primary_node"` the node of its primary identity; "newest" by fragment time, then batch completion, batch,
 * file, row. Only profiles without profile fragments use it (their primary identity and last modification).
 */
export function eventLatestCopy(events: readonly SourceView[], graphDir: string, identityGraph: MergeRules['identityGraph'], outputDir: string): ShardedCopy {
  const { join, profile } = profileJoinSql(graphDir, identityGraph);
  const rows = events.map(({ view }) => `SELECT "$primary_ns", "$primary_id", "$fragment_time", "$batch_completed_at", "$batch", "$file", "$row", "$rn" FROM ${view}`);
  const newest = `max({'t': f."$fragment_time", 'c': f."$batch_completed_at", 'b': f."$batch", 'f': f."$file", 'r': f."$row", 'n': f."$rn", 'node': i.node})`;
  return {
    select:
      `SELECT "$profile", newest.t AS "$last", newest.node AS "$primary_node" FROM (` +
      `SELECT ${profile} AS "$profile", ${newest} AS newest FROM (${rows.join(' UNION ALL ')}) f ${join} GROUP BY ALL) ORDER BY "$profile"`,
    key: '"$profile"',
    dir: `${outputDir}/${EVENT_LATEST_FILE}`,
  };
}
