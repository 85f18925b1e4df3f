// Test helper: writes lake batches (Parquet in the LAKE FORMAT) by hand with DuckDB, independently of the ingestion code.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DuckDbDatabase } from '../../src/engine/duckdb/duckdb-database.js';
import { lakeFieldColumn } from '../../src/engine/duckdb/lake-format.js';
import type { LakeDataset } from '../../src/engine/engine.js';
import type { DatasetSchema, FieldType, ScalarFieldType, SchemaField } from '../../src/engine/lake-schema.js';

/** One record of a fixture batch. Identities are given already normalised, as ingestion stores them. */
export interface FixtureRecord {
  /** `[namespace, id]` pairs; the first is the primary unless `primary` says otherwise. */
  readonly identities: readonly (readonly [string, string])[];
  readonly primary?: readonly [string, string];
  /** `"$fragment_time"` (`YYYY-MM-DD HH:MM:SS`); default the batch completion time. */
  readonly time?: string;
  /** Events: `timestamp` and `_id`. */
  readonly timestamp?: string;
  readonly eventId?: string | null;
  /** `"$file"` (default `input.csv`) and `"$row"` (default 1-based position in the batch). */
  readonly file?: string;
  readonly row?: number;
  /** Part file index (`part-0000<n>.parquet`), default 0. */
  readonly part?: number;
  /** Field values by path; missing = null. */
  readonly values?: Readonly<Record<string, unknown>>;
}

const SQL_TYPES: Record<ScalarFieldType, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  'date-time': 'TIMESTAMP',
};

const typeOf = (type: FieldType, items?: ScalarFieldType) => (type === 'array' ? `${SQL_TYPES[items ?? 'string']}[]` : SQL_TYPES[type]);

/** A SQL literal for a test value (tests only: fixtures are trusted). */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value !== 'string') throw new Error(`No SQL literal for ${typeof value}`);
  return `'${value.replaceAll("'", "''")}'`;
}

/** Field definitions with defaults, for short fixture schemas. */
export function fields(...defs: readonly (readonly [string, FieldType] | readonly [string, 'array', ScalarFieldType])[]): SchemaField[] {
  return defs.map(([fieldPath, type, items]) => ({ path: fieldPath, type, required: false, ...(items ? { items } : {}) }));
}

/** A dataset whose `batchDirs` grows as {@link writeBatch} is called. */
export interface FixtureDataset extends LakeDataset {
  readonly batchDirs: string[];
}

export function fixtureDataset(id: string, schema: DatasetSchema): FixtureDataset {
  return { id, schema, batchDirs: [] };
}

/**
 * Writes `records` as batch `batchId` of `dataset` under `lakeRoot` (one Parquet file per `part`) and appends
 * the directory to `dataset.batchDirs`.
 */
export async function writeBatch(
  db: DuckDbDatabase,
  lakeRoot: string,
  dataset: FixtureDataset,
  batch: { readonly id: string; readonly completedAt: string; readonly records: readonly FixtureRecord[] },
): Promise<string> {
  const dir = path.join(lakeRoot, dataset.id, batch.id);
  mkdirSync(dir, { recursive: true });
  const parts = new Map<number, string[]>();
  batch.records.forEach((record, index) => {
    const selects = parts.get(record.part ?? 0) ?? [];
    selects.push(recordSelect(dataset.schema, batch.completedAt, record, index + 1));
    parts.set(record.part ?? 0, selects);
  });
  for (const [part, selects] of parts) {
    const file = path.join(dir, `part-${String(part).padStart(5, '0')}.parquet`);
    await db.query(`COPY (${selects.join(' UNION ALL ')}) TO '${file}' (FORMAT parquet)`);
  }
  dataset.batchDirs.push(dir);
  return dir;
}

function recordSelect(schema: DatasetSchema, completedAt: string, record: FixtureRecord, position: number): string {
  const [primaryNs, primaryId] = record.primary ?? record.identities[0] ?? [null, null];
  const identities = record.identities.map(([ns, id]) => `{'ns': ${literal(ns)}, 'id': ${literal(id)}}`);
  const columns = [
    ...schema.fields.map((field) => `CAST(${literal(record.values?.[field.path])} AS ${typeOf(field.type, field.items)}) AS "${lakeFieldColumn(field.path)}"`),
    `${literal(record.file ?? 'input.csv')}::VARCHAR AS "$file"`,
    `${record.row ?? position}::BIGINT AS "$row"`,
    `CAST([${identities.join(', ')}] AS STRUCT(ns VARCHAR, id VARCHAR)[]) AS "$identities"`,
    `${literal(primaryNs)}::VARCHAR AS "$primary_ns"`,
    `${literal(primaryId)}::VARCHAR AS "$primary_id"`,
    `TIMESTAMP ${literal(record.time ?? completedAt)} AS "$fragment_time"`,
    `TIMESTAMP ${literal(completedAt)} AS "$batch_completed_at"`,
  ];
  if (schema.class === 'experienceEvent') {
    columns.push(`TIMESTAMP ${literal(record.timestamp ?? completedAt)} AS timestamp`, `${literal(record.eventId ?? null)}::VARCHAR AS _id`);
  }
  return `SELECT ${columns.join(', ')}`;
}
