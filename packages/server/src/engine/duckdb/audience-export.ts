// The DuckDB ExportEngine: one audience's export files (SPEC §7.5, §8.2, §8.4) computed and written by DuckDB.
//
// Pipeline, all SQL on one connection of the export instance (its own memory limit, spilling to tmp/): members of the
// snapshot(s) → typed rows per member and identity id, mandatory filter (audience-export-rows.ts) → dedup with
// QUALIFY and the deterministic order into "$xout" → one `COPY … TO` per part file. No row crosses into JavaScript.
//
// Decisions (SPEC is silent):
// - Dedup: a row whose key value (any key column, for a composite key) is missing is never a duplicate: all are kept.
// - The tie-break compares the non-key columns' text (the CSV rendering before quoting, missing first) byte-wise, then
//   the profile number, so the kept row never depends on scan order.
// - File order: by profile (graph node number, stable for a lake state), then the identity columns' ids.
// - JSON files: arrays and object-valued columns are native JSON; dates and date-times are strings as in CSV.
// - Parquet date-times are written as DuckDB's TIMESTAMP_MS: INT64 TIMESTAMP(MILLIS) — flagged isAdjustedToUTC=false,
//   the only millisecond timestamp DuckDB writes (values are UTC). Arrays and object-valued columns are UTF8 JSON text.
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AudienceExportRequest, AudienceExportResult, ExportEngine, StagedExportFile } from '../engine.js';
import { csvHeader, csvLineSql, jsonObjectSql, RENDER_MACROS_SQL, valueJsonSql, valueTextSql } from './audience-export-render.js';
import { createExportMembers, createExportRows, resolveColumns, type ResolvedColumn, type ResolvedColumns } from './audience-export-rows.js';
import type { DuckDbDatabase } from './duckdb-database.js';
import type { DerivedProfileTables } from './duckdb-profiles.js';
import { quoteIdentifier, sqlStringLiteral } from './lake-sources-sql.js';

/** What the export engine needs of the profile engine: the derived tables of a scope (built on the main instance). */
export interface DerivedTablesSource {
  derivedTables(scope: AudienceExportRequest['scope']): Promise<DerivedProfileTables>;
}

const TEMP_OBJECTS = ['"$xm"', '"$xslice"', '"$xrows"', '"$xout"', '"$profiles"'];

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
  const inputRecordCount = await createExportMembers(connection, request, tables);
  check();
  await createExportRows(connection, request, tables, resolved, check);
  check();
  const kept = await scalar(connection, 'SELECT count(DISTINCT "$profile") FROM "$xrows"');
  const rows = await scalar(connection, 'SELECT count(*) FROM "$xrows"');
  await createOutput(connection, request, resolved);
  check();
  const outputRecordCount = await scalar(connection, 'SELECT count(*) FROM "$xout"');
  const files = await writeParts(connection, request, resolved, outputRecordCount, check);
  const input = await lakeInput(request);
  return {
    inputRecordCount,
    skippedRecordCount: inputRecordCount - kept,
    deduplicatedRowCount: rows - outputRecordCount,
    outputRecordCount,
    files,
    ...input,
  };
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<number> {
  return Number((await connection.runAndReadAll(sql)).getRowsJS()[0]?.[0] ?? 0);
}

/** "$xout": the deduplicated rows in file order (its rowid is the position, the table being written in that order). */
async function createOutput(connection: DuckDBConnection, request: AudienceExportRequest, resolved: ResolvedColumns): Promise<void> {
  const byName = (name: string) => resolved.columns.find((column) => column.name === name) as ResolvedColumn;
  const keys = request.dedupKey.map(byName);
  const identityOrder = resolved.columns.filter((column) => column.identityJoin !== undefined).map((column) => `, ${column.column}`).join('');
  let source = '"$xrows"';
  if (keys.length > 0) {
    const others = resolved.columns.filter((column) => !keys.includes(column)).map((column) => `, ${valueTextSql(column.column, column.kind)} ASC NULLS FIRST`).join('');
    const partition = keys.map((column) => column.column).join(', ');
    const missingKey = keys.map((column) => `${column.column} IS NULL`).join(' OR ');
    source =
      `(SELECT * FROM "$xrows" QUALIFY ${missingKey} OR row_number() OVER (PARTITION BY ${partition} ` +
      `ORDER BY "$at" DESC, "$updated" DESC${others}, "$profile" ASC${identityOrder}) = 1)`;
  }
  await connection.run(`CREATE OR REPLACE TEMP TABLE "$xout" AS SELECT * FROM ${source} ORDER BY "$profile"${identityOrder}`);
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
    const range = `FROM "$xout" WHERE rowid >= ${from} AND rowid < ${from + maxFileRowCount}`;
    let copy: string;
    if (format.fileType === 'PARQUET') {
      copy = `COPY (SELECT ${select} ${range} ORDER BY rowid) TO ${sqlStringLiteral(file)} (FORMAT parquet, COMPRESSION ${format.compression === 'GZIP' ? 'gzip' : 'uncompressed'})`;
    } else {
      const header = format.fileType === 'CSV' && format.csv.header ? `SELECT -1 AS "$o", ${sqlStringLiteral(csvHeader(resolved.columns.map((column) => column.name), format.csv))} AS "$line" UNION ALL ` : '';
      // One VARCHAR column written raw: no quoting, no escaping, `\n` after each line (see audience-export-render.ts).
      copy =
        `COPY (SELECT "$line" FROM (${header}SELECT rowid AS "$o", ${select} ${range}) ORDER BY "$o") TO ${sqlStringLiteral(file)} ` +
        `(FORMAT csv, HEADER false, QUOTE '', ESCAPE '', NEW_LINE '\\n', COMPRESSION ${format.compression === 'GZIP' ? 'gzip' : 'none'})`;
    }
    await connection.run(copy);
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
