// The DuckDB ExportEngine: one audience's export files (SPEC §7.5, §8.2, §8.4) computed and written by DuckDB.
//
// Pipeline, all SQL on one connection of the export instance (its own memory limit, spilling to tmp/): members of the
// snapshot(s) → typed rows per member and identity id, mandatory filter (audience-export-rows.ts) → dedup with
// QUALIFY per bucket of keys, rows in the deterministic order → one `COPY … TO` per part file (CSV/JSON lines rendered in SQL,
// audience-export-render.ts), gzipped by node:zlib as a stream. No row is handled in JavaScript.
//
// Memory: the instance's memory_limit bounds DuckDB; the row tables and the sorts spill to its temp directory. The
// SPEC's separate sort budget (exportSortMemoryMb) has no DuckDB knob of its own: the instance limit covers it.
//
// Decisions (SPEC is silent):
// - Dedup: a row whose key value (any key column, for a composite key) is missing is never a duplicate: all are kept.
// - The tie-break compares the non-key columns' text (the CSV rendering before quoting, missing first) byte-wise, then
//   the profile number, so the kept row never depends on scan order.
// - File order: by profile (graph node number, stable for a lake state), then the identity columns' ids.
// - JSON files: arrays and object-valued columns are native JSON; dates and date-times are strings as in CSV.
// - Parquet date-times are written as DuckDB's TIMESTAMP_MS: INT64 TIMESTAMP(MILLIS) — flagged isAdjustedToUTC=false,
//   the only millisecond timestamp DuckDB writes (values are UTC). Arrays and object-valued columns are UTF8 JSON text.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AudienceExportRequest, AudienceExportResult, ExportEngine, StagedExportFile } from '../engine.js';
import { csvHeader, csvLineSql, jsonObjectSql, RENDER_MACROS_SQL, valueJsonSql, valueTextSql } from './audience-export-render.js';
import { createExportRows, MEMBER_TEMP_TABLES, resolveColumns, type ResolvedColumn, type ResolvedColumns } from './audience-export-rows.js';
import type { DuckDbDatabase } from './duckdb-database.js';
import type { DerivedProfileTables } from './duckdb-profiles.js';
import { quoteIdentifier, sqlStringLiteral } from './lake-sources-sql.js';

/** What the export engine needs of the profile engine: the derived tables of a scope (built on the main instance). */
export interface DerivedTablesSource {
  derivedTables(scope: AudienceExportRequest['scope']): Promise<DerivedProfileTables>;
}

const TEMP_OBJECTS = [...MEMBER_TEMP_TABLES, '"$xslice"', '"$xrows"', '"$xdup"', '"$xkept"', '"$xout"', '"$profiles"'];

/** Implements {@link ExportEngine} on its own DuckDB instance. */
export class DuckDbExportEngine implements ExportEngine {
  constructor(
    private readonly database: DuckDbDatabase,
    private readonly profiles: DerivedTablesSource,
  ) {}

  async exportAudience(request: AudienceExportRequest): Promise<AudienceExportResult> {
    validateRequest(request);
    request.signal?.throwIfAborted();
    const tables = await this.profiles.derivedTables(request.scope);
    await mkdir(request.workDir, { recursive: true });
    return this.database.withConnection(async (connection) => {
      const interrupt = () => connection.interrupt();
      request.signal?.addEventListener('abort', interrupt);
      try {
        return await exportAudienceSql(connection, request, tables);
      } catch (error) {
        // A statement interrupted by the cancellation fails with DuckDB's error: report the cancellation instead.
        request.signal?.throwIfAborted();
        throw error;
      } finally {
        request.signal?.removeEventListener('abort', interrupt);
        for (const name of TEMP_OBJECTS) await connection.run(`DROP TABLE IF EXISTS ${name}`).catch(() => undefined);
      }
    });
  }
}

/** Caller errors, named with what to fix. */
function validateRequest(request: AudienceExportRequest): void {
  if (!Number.isSafeInteger(request.maxFileRowCount) || request.maxFileRowCount < 1) {
    throw new Error(`maxFileRowCount must be a positive integer, got ${request.maxFileRowCount}`);
  }
  const names = request.columns.map((column) => column.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new Error(`Column name ${JSON.stringify(duplicate)} is mapped twice: column names must be unique`);
  if (request.format.fileType === 'PARQUET') {
    // DuckDB's Parquet writer would silently rename the second (`email` → `email_1`): refuse rather than rename.
    const lower = names.map((name) => name.toLowerCase());
    const clash = names.find((name, index) => lower.indexOf(name.toLowerCase()) !== index);
    if (clash !== undefined) throw new Error(`Column name ${JSON.stringify(clash)} differs from another only in case: Parquet files need names that differ in more than case`);
  }
  if (request.dedupKey.length > 2) throw new Error(`A dedup key has one or two columns, got ${request.dedupKey.length}`);
  for (const key of request.dedupKey) {
    if (!names.includes(key)) throw new Error(`Dedup key ${JSON.stringify(key)} is not a mapped column: map it or remove it from the keys`);
  }
  const { csv } = request.format;
  if (request.format.fileType === 'CSV' && (csv.delimiter.length === 0 || csv.escape.length === 0)) {
    throw new Error('CSV delimiter and escape must be one character each');
  }
}

/** The file extension of a format (SPEC §6.4 table). */
export function fileExtension(format: AudienceExportRequest['format']): string {
  if (format.fileType === 'PARQUET') return 'parquet';
  const base = format.fileType === 'CSV' ? 'csv' : 'json';
  return format.compression === 'GZIP' ? `${base}.gz` : base;
}

async function exportAudienceSql(connection: DuckDBConnection, request: AudienceExportRequest, tables: DerivedProfileTables): Promise<AudienceExportResult> {
  const check = () => request.signal?.throwIfAborted();
  for (const statement of RENDER_MACROS_SQL) await connection.run(statement);
  const resolved = resolveColumns(request);
  const { members: inputRecordCount, skipped } = await createExportRows(connection, request, tables, resolved, check);
  check();
  const rows = await scalar(connection, 'SELECT count(*) FROM "$xrows"');
  const output = await createOutput(connection, request, resolved, rows, check);
  check();
  const outputRecordCount = await scalar(connection, `SELECT count(*) FROM ${output}`);
  const files = await writeParts(connection, request, resolved, output, outputRecordCount, check);
  const input = await lakeInput(request);
  return {
    inputRecordCount,
    skippedRecordCount: skipped,
    deduplicatedRowCount: rows - outputRecordCount,
    outputRecordCount,
    files,
    ...input,
  };
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<number> {
  return Number((await connection.runAndReadAll(sql)).getRowsJS()[0]?.[0] ?? 0);
}

/** Rows per dedup bucket: one bucket's aggregate and window fit the export memory limit whatever the audience size. */
const DEDUP_BUCKET_ROWS = 500_000;

/**
 * The deduplicated rows in file order, as a table whose rowid is the position: "$xrows" itself without a key (it is
 * written in file order), else "$xout". Dedup runs per bucket of key hashes, so that its aggregate and window hold
 * one bucket, not the audience. Duplicates are usually few, so the keys having several rows are found first by a
 * hash aggregate, and only their rows go through the window that ranks them (rendering the tie-break texts of every
 * row would cost more than the export). Rows whose key is missing are all kept.
 */
async function createOutput(connection: DuckDBConnection, request: AudienceExportRequest, resolved: ResolvedColumns, rows: number, check: () => void): Promise<string> {
  if (request.dedupKey.length === 0) return '"$xrows"';
  const keys = request.dedupKey.map((name) => resolved.columns.find((column) => column.name === name) as ResolvedColumn);
  const keyList = keys.map((column) => column.column).join(', ');
  const present = keys.map((column) => `${column.column} IS NOT NULL`).join(' AND ');
  const identityOrder = resolved.columns.filter((column) => column.identityJoin !== undefined).map((column) => `, ${column.column}`).join('');
  const others = resolved.columns.filter((column) => !keys.includes(column)).map((column) => `, ${valueTextSql(column.column, column.kind)} ASC NULLS FIRST`).join('');
  await connection.run(`CREATE OR REPLACE TEMP TABLE "$xkept" AS SELECT * FROM "$xrows" WHERE NOT (${present})`);
  const buckets = Math.max(1, Math.ceil(rows / DEDUP_BUCKET_ROWS));
  for (let bucket = 0; bucket < buckets; bucket++) {
    check();
    const inBucket = `${present} AND hash(${keyList}) % ${buckets} = ${bucket}`;
    await connection.run(`CREATE OR REPLACE TEMP TABLE "$xdup" AS SELECT ${keyList} FROM "$xrows" WHERE ${inBucket} GROUP BY ALL HAVING count(*) > 1`);
    await connection.run(`INSERT INTO "$xkept" SELECT * FROM "$xrows" ANTI JOIN "$xdup" USING (${keyList}) WHERE ${inBucket}`);
    // A semi join exposes only the left side's columns: the unqualified names below are "$xrows"'.
    await connection.run(
      `INSERT INTO "$xkept" SELECT * FROM "$xrows" SEMI JOIN "$xdup" USING (${keyList}) WHERE ${inBucket} QUALIFY row_number() OVER (PARTITION BY ${keyList} ` +
        `ORDER BY "$at" DESC, "$updated" DESC${others}, "$profile" ASC${identityOrder}) = 1`,
    );
  }
  await connection.run('DROP TABLE IF EXISTS "$xrows"');
  await connection.run(`CREATE OR REPLACE TEMP TABLE "$xout" AS SELECT * FROM "$xkept" ORDER BY "$profile"${identityOrder}`);
  await connection.run('DROP TABLE IF EXISTS "$xkept"');
  return '"$xout"';
}

/** The SELECT list of a part's rows for the format (one `"$line"` VARCHAR for CSV and JSON; typed columns for Parquet). */
function partSelect(request: AudienceExportRequest, resolved: ResolvedColumns): string {
  const { columns } = resolved;
  switch (request.format.fileType) {
    case 'CSV':
      return `${csvLineSql(columns.map((column) => valueTextSql(column.column, column.kind)), request.format.csv)} AS "$line"`;
    case 'JSON':
      return `${jsonObjectSql(columns.map((column) => ({ key: column.name, json: valueJsonSql(column.column, column.kind) })), false)} AS "$line"`;
    case 'PARQUET':
      if (columns.length === 0) return 'NULL::VARCHAR AS "$empty"';
      return columns
        .map((column) => {
          const kind = column.kind;
          const value = kind.type === 'date-time' ? `CAST(${column.column} AS TIMESTAMP_MS)` : kind.type === 'array' ? valueTextSql(column.column, kind) : column.column;
          return `${value} AS ${quoteIdentifier(column.name)}`;
        })
        .join(', ');
  }
}

/** Writes `part-00001.<ext>`, … of at most maxFileRowCount rows each (one file when there is no row). */
async function writeParts(
  connection: DuckDBConnection,
  request: AudienceExportRequest,
  resolved: ResolvedColumns,
  table: string,
  total: number,
  check: () => void,
): Promise<StagedExportFile[]> {
  const { format, maxFileRowCount } = request;
  const count = Math.max(1, Math.ceil(total / maxFileRowCount));
  const select = partSelect(request, resolved);
  const files: StagedExportFile[] = [];
  for (let part = 0; part < count; part++) {
    check();
    const from = part * maxFileRowCount;
    const rows = Math.min(maxFileRowCount, total - from);
    const file = path.join(request.workDir, `part-${String(part + 1).padStart(5, '0')}.${fileExtension(format)}`);
    const gzip = format.fileType !== 'PARQUET' && format.compression === 'GZIP';
    const raw = `${file}.raw`;
    const range = `FROM ${table} WHERE rowid >= ${from} AND rowid < ${from + maxFileRowCount}`;
    let copy: string;
    if (format.fileType === 'PARQUET') {
      copy = `COPY (SELECT ${select} ${range}) TO ${sqlStringLiteral(file)} (FORMAT parquet, COMPRESSION ${format.compression === 'GZIP' ? 'gzip' : 'uncompressed'})`;
    } else {
      // One VARCHAR column written raw: no quoting, no escaping, `\n` after each value (see audience-export-render.ts).
      // No ORDER BY: a scan of "$xout" keeps its order (preserve_insertion_order), and sorting the lines would cost
      // more than writing them; the header travels in the first row's value, or alone in a file without rows.
      const header = format.fileType === 'CSV' && format.csv.header ? sqlStringLiteral(csvHeader(resolved.columns.map((column) => column.name), format.csv)) : undefined;
      const body = `SELECT rowid AS "$o", ${select} ${range}`;
      let lines: string;
      if (rows <= 0) lines = header === undefined ? `SELECT '' AS "$line" WHERE false` : `SELECT ${header} AS "$line"`;
      else lines = header === undefined ? `SELECT "$line" FROM (${body})` : `SELECT CASE WHEN "$o" = ${from} THEN ${header} || chr(10) || "$line" ELSE "$line" END FROM (${body})`;
      // Gzip by node:zlib from an uncompressed file: DuckDB's gzip writer ran at ~6 MB/s here, zlib at ~60 MB/s.
      copy = `COPY (${lines}) TO ${sqlStringLiteral(gzip ? raw : file)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', NEW_LINE '\\n')`;
    }
    await connection.run(copy);
    if (gzip) {
      await pipeline(createReadStream(raw), createGzip(), createWriteStream(file), { signal: request.signal });
      await rm(raw, { force: true });
    }
    files.push({ path: file, rows: Math.max(0, rows), bytes: (await stat(file)).size });
  }
  return files;
}

/** Lake bytes and files the export read (sizeSummary/fileSummary estimates): the Parquet parts of the scope's profile datasets. */
async function lakeInput(request: AudienceExportRequest): Promise<{ inputBytes: number; inputFileCount: number }> {
  let inputBytes = 0;
  let inputFileCount = 0;
  for (const dir of request.scope.profileDatasets.flatMap((dataset) => dataset.batchDirs)) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((entry) => entry.endsWith('.parquet'))) {
      inputBytes += (await stat(path.join(dir, name))).size;
      inputFileCount += 1;
    }
  }
  return { inputBytes, inputFileCount };
}
