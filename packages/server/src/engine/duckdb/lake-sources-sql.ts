// Exposes a scope's lake datasets to DuckDB as per-connection temp views: typed declared fields plus the lake's system columns.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LakeDataset, ProfileScope } from '../engine.js';
import type { ScalarFieldType, SchemaField } from '../lake-schema.js';
import { schemaIdentityIdSql, schemaIdentityListSql } from './identity-sql.js';
import { LAKE_COLUMN, lakeFieldColumn } from './lake-format.js';
import { quoteIdentifier, sqlStringLiteral } from './sql-text.js';

const SCALAR_SQL_TYPES: Record<ScalarFieldType, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  'date-time': 'TIMESTAMP',
};

/** The DuckDB type a declared field is stored as in the lake (LAKE FORMAT). */
export function sqlTypeOf(field: Pick<SchemaField, 'type' | 'items'>): string {
  return field.type === 'array' ? `${SCALAR_SQL_TYPES[field.items ?? 'string']}[]` : SCALAR_SQL_TYPES[field.type];
}

export { quoteIdentifier, sqlStringLiteral };

/** A dataset exposed as a temp view, with the columns every view has. */
export interface SourceView {
  readonly dataset: LakeDataset;
  /** The temp view's name (unquoted, safe). */
  readonly view: string;
}

/**
 * System columns of every view: the lake's (`"$file"`, `"$row"`, `"$identities"`, `"$primary_ns"`, `"$primary_id"`,
 * `"$fragment_time"`, `"$batch_completed_at"`; events also `timestamp`, `_id`) plus
 * `"$batch"` (INTEGER, ordinal of the batch in canonical scope order: datasets by class then id, batches in
 * `batchDirs` order), `"$batch_id"` (the batch directory's name), `"$fid"` (INTEGER, ordinal of the part file)
 * and `"$rn"` (row number inside the part file). `("$fid", "$rn")` identifies a record within a scope.
 */
export const SYSTEM_COLUMNS = [
  LAKE_COLUMN.file,
  LAKE_COLUMN.row,
  LAKE_COLUMN.identities,
  LAKE_COLUMN.primaryNs,
  LAKE_COLUMN.primaryId,
  LAKE_COLUMN.fragmentTime,
  LAKE_COLUMN.batchCompletedAt,
] as const;

const SYSTEM_TYPES: Record<(typeof SYSTEM_COLUMNS)[number] | 'timestamp' | '_id', string> = {
  [LAKE_COLUMN.file]: 'VARCHAR',
  [LAKE_COLUMN.row]: 'BIGINT',
  [LAKE_COLUMN.identities]: 'STRUCT(ns VARCHAR, id VARCHAR)[]',
  [LAKE_COLUMN.primaryNs]: 'VARCHAR',
  [LAKE_COLUMN.primaryId]: 'VARCHAR',
  [LAKE_COLUMN.fragmentTime]: 'TIMESTAMP',
  [LAKE_COLUMN.batchCompletedAt]: 'TIMESTAMP',
  timestamp: 'TIMESTAMP',
  _id: 'VARCHAR',
};

/** Profile datasets then event datasets, each sorted by id: every ordinal derived from the scope is independent of list order. */
export function canonicalDatasets(scope: Pick<ProfileScope, 'profileDatasets' | 'eventDatasets'>): {
  readonly profiles: readonly LakeDataset[];
  readonly events: readonly LakeDataset[];
} {
  const byId = (a: LakeDataset, b: LakeDataset) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { profiles: [...scope.profileDatasets].sort(byId), events: [...scope.eventDatasets].sort(byId) };
}

interface PartFile {
  readonly path: string;
  readonly fileOrdinal: number;
  readonly batchOrdinal: number;
  readonly batchId: string;
}

async function listPartFiles(batchDir: string): Promise<string[]> {
  const names = await readdir(batchDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return names
    .filter((name) => name.startsWith('part-') && name.endsWith('.parquet'))
    .sort()
    .map((name) => path.join(batchDir, name));
}

/**
 * Creates one temp view per dataset on `connection` (`src_profile_<n>`, `src_event_<n>`). Event views keep
 * only the last ingested record of each `_id` (later batch, then later file and row), since batches are
 * immutable and SPEC §3.1 collapses repeated event ids.
 */
export async function createSourceViews(
  connection: DuckDBConnection,
  datasets: { readonly profiles: readonly LakeDataset[]; readonly events: readonly LakeDataset[] },
): Promise<{ readonly profiles: readonly SourceView[]; readonly events: readonly SourceView[] }> {
  const counters = { file: 0, batch: 0 };
  const create = async (dataset: LakeDataset, view: string, isEvent: boolean): Promise<SourceView> => {
    const base = await lakeRowsSql(connection, dataset, counters);
    const sql = isEvent
      ? `SELECT * FROM (${base}) QUALIFY _id IS NULL OR row_number() OVER (PARTITION BY _id ORDER BY "$batch" DESC, "$file" DESC, "$row" DESC, "$rn" DESC) = 1`
      : base;
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${view} AS ${sql}`);
    return { dataset, view };
  };
  const profiles: SourceView[] = [];
  for (const [index, dataset] of datasets.profiles.entries()) profiles.push(await create(dataset, `src_profile_${index}`, false));
  const events: SourceView[] = [];
  for (const [index, dataset] of datasets.events.entries()) events.push(await create(dataset, `src_event_${index}`, true));
  return { profiles, events };
}

/**
 * Every lake row of `dataset` (all its batches, repeated event ids included) with the declared fields and the
 * system columns of {@link SYSTEM_COLUMNS}; `counters` number batches and part files across datasets.
 */
export async function lakeRowsSql(connection: DuckDBConnection, dataset: LakeDataset, counters = { file: 0, batch: 0 }): Promise<string> {
  const files: PartFile[] = [];
  for (const batchDir of dataset.batchDirs) {
    const batchOrdinal = counters.batch++;
    for (const filePath of await listPartFiles(batchDir)) {
      files.push({ path: filePath, fileOrdinal: counters.file++, batchOrdinal, batchId: path.basename(batchDir) });
    }
  }
  const available = files.length === 0 ? new Set<string>() : await columnsOf(connection, files);
  return viewSelectSql(dataset, files, available, dataset.schema.class === 'experienceEvent');
}

function readParquetSql(files: readonly PartFile[]): string {
  const list = files.map((file) => sqlStringLiteral(file.path)).join(', ');
  return `read_parquet([${list}], union_by_name = true, filename = '$filename', file_row_number = true, hive_partitioning = false)`;
}

async function columnsOf(connection: DuckDBConnection, files: readonly PartFile[]): Promise<Set<string>> {
  const rows = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${readParquetSql(files)}`)).getRowObjectsJS();
  return new Set(rows.map((row) => row['column_name']).filter((name): name is string => typeof name === 'string'));
}

/** Declared fields of a view, with the implicit event fields excluded (they are system columns). */
export function declaredFields(dataset: LakeDataset): readonly SchemaField[] {
  return dataset.schema.class === 'experienceEvent'
    ? dataset.schema.fields.filter((field) => field.path !== 'timestamp' && field.path !== '_id')
    : dataset.schema.fields;
}

/**
 * System columns a part may leave out (LAKE-FORMAT.md), derived from what it has: `"$row"` from the position when
 * the part holds every row of its file; the schema identities and the schema's primary identity from the
 * declared identity columns; `"$fragment_time"` from the timestampField; a missing event `_id` from batch, file
 * and row. A column the part has (older parts have them all) wins.
 */
function derivedSystemColumnsSql(dataset: LakeDataset, typed: (name: string, type: string) => string): Partial<Record<keyof typeof SYSTEM_TYPES, string>> {
  const { schema } = dataset;
  const row = `coalesce(${typed(LAKE_COLUMN.row, 'BIGINT')}, r.file_row_number + 1)`;
  const ids = schema.identities.map((identity) => ({ namespace: identity.namespace, id: schemaIdentityIdSql(identity.namespace, typed(lakeFieldColumn(identity.path), 'VARCHAR')) }));
  const identities = `list_concat(${schemaIdentityListSql(ids)}, coalesce(${typed(LAKE_COLUMN.mapIdentities, 'STRUCT(ns VARCHAR, id VARCHAR)[]')}, []))`;
  const primaryIndex = schema.identities.findIndex((identity) => identity.primary);
  const primary = schema.identities[primaryIndex];
  const physicalPrimary = typed(LAKE_COLUMN.primaryId, 'VARCHAR');
  const timestampField = schema.fields.find((field) => field.path === schema.timestampField && field.type === 'date-time');
  const completed = typed(LAKE_COLUMN.batchCompletedAt, 'TIMESTAMP');
  return {
    [LAKE_COLUMN.row]: row,
    [LAKE_COLUMN.identities]: `coalesce(${typed(LAKE_COLUMN.identities, 'STRUCT(ns VARCHAR, id VARCHAR)[]')}, ${identities})`,
    [LAKE_COLUMN.primaryNs]: primary
      ? `CASE WHEN ${physicalPrimary} IS NOT NULL THEN ${typed(LAKE_COLUMN.primaryNs, 'VARCHAR')} WHEN ${ids[primaryIndex]?.id} IS NOT NULL THEN ${sqlStringLiteral(primary.namespace)} END`
      : typed(LAKE_COLUMN.primaryNs, 'VARCHAR'),
    [LAKE_COLUMN.primaryId]: primary ? `coalesce(${physicalPrimary}, ${ids[primaryIndex]?.id})` : physicalPrimary,
    [LAKE_COLUMN.fragmentTime]: `coalesce(${typed(LAKE_COLUMN.fragmentTime, 'TIMESTAMP')}, ${timestampField ? `${typed(lakeFieldColumn(timestampField.path), 'TIMESTAMP')}, ` : ''}${completed})`,
    _id: `coalesce(${typed('_id', 'VARCHAR')}, f.batch_id || ':' || ${typed(LAKE_COLUMN.file, 'VARCHAR')} || ':' || ${row})`,
  };
}

function viewSelectSql(dataset: LakeDataset, files: readonly PartFile[], available: ReadonlySet<string>, isEvent: boolean): string {
  const typed = (name: string, type: string) => (available.has(name) ? `CAST(r.${quoteIdentifier(name)} AS ${type})` : `CAST(NULL AS ${type})`);
  const systemNames: (keyof typeof SYSTEM_TYPES)[] = isEvent ? [...SYSTEM_COLUMNS, 'timestamp', '_id'] : [...SYSTEM_COLUMNS];
  const derived = files.length === 0 ? {} : derivedSystemColumnsSql(dataset, typed);
  const columns = [
    ...declaredFields(dataset).map((field) => `${typed(lakeFieldColumn(field.path), sqlTypeOf(field))} AS ${quoteIdentifier(field.path)}`),
    ...systemNames.map((name) => `${derived[name] ?? typed(name, SYSTEM_TYPES[name])} AS ${quoteIdentifier(name)}`),
  ];
  if (files.length === 0) {
    const empty = ['CAST(NULL AS INTEGER) AS "$batch"', 'CAST(NULL AS VARCHAR) AS "$batch_id"', 'CAST(NULL AS INTEGER) AS "$fid"', 'CAST(NULL AS BIGINT) AS "$rn"'];
    return `SELECT ${[...columns, ...empty].join(', ')} FROM (SELECT 1) AS r WHERE false`;
  }
  const fileRows = files
    .map((file) => `(${sqlStringLiteral(file.path)}, ${file.fileOrdinal}, ${file.batchOrdinal}, ${sqlStringLiteral(file.batchId)})`)
    .join(', ');
  return (
    `SELECT ${columns.join(', ')}, f.batch_ordinal AS "$batch", f.batch_id AS "$batch_id", f.file_ordinal AS "$fid", r.file_row_number AS "$rn" ` +
    `FROM ${readParquetSql(files)} AS r ` +
    `JOIN (VALUES ${fileRows}) AS f(file_path, file_ordinal, batch_ordinal, batch_id) ON f.file_path = r."$filename"`
  );
}
