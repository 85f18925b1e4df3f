// IngestionEngine over DuckDB: validates every row of a batch in SQL and publishes the valid rows as Parquet in the lake.
//
// LAKE FORMAT: see LAKE-FORMAT.md. One part per input file read (`part-00000.parquet`, … in upload order; a part may
// hold 0 rows; a successful batch always has at least one part), Parquet version 2, published by renaming the
// staged directory into place. Parts hold the declared fields and only the system columns readers cannot derive.
//
// Outcome: a file without rows (0 bytes, header only, `[]`, blank lines) is not an error but an EMPTY_FILE warning;
// a batch whose files have no rows at all succeeds with 0 records (and one empty part). Row numbers: see LAKE-FORMAT.md.
//
// Per file, the usual case is one pass: `COPY (validated rows straight from DuckDB's reader) TO part`, which
// raises at the first rejected row (the optimistic pass: no staging, no row numbers, no count — a part holding
// every row of its file numbers them by position). When a row was rejected (or the batch already failed), the
// checked passes run: the reader stages the rows in file order in a temp table (CSV / JSON; Parquet is read in
// place with file_row_number), one COPY writes the valid rows with their `"$row"` (unless the batch already failed),
// and a further pass collects the rejected rows into a temp table, from which errors.ndjson, rejected.ndjson, the
// counts and the first 100 failed rows come. Every row-level step is SQL; nothing row-shaped is held in
// JavaScript, so memory is DuckDB's (bounded by its memory limit, spilling to its temp directory). Malformed CSV /
// NDJSON files are the one exception: DuckDB's strict reader throws on them, and a streaming JavaScript re-scan
// (row-sanitizer.ts) rewrites them as numbered, well-formed rows before the same SQL runs — see csv-source.ts.
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { IngestionEngine, IngestRequest, IngestResult } from '../engine.js';
import type { FileWarning, InputFormat } from '../lake-schema.js';
import { openCsvSource } from './csv-source.js';
import type { DuckDbDatabase } from './duckdb-database.js';
import { createErrorTable, insertRowErrors, insertUnreadableFile, summarizeErrors, writeErrorFiles } from './ingestion-errors.js';
import { paramsUsedBy, sqlString, type BoundSql } from './ingestion-sql.js';
import { openJsonSource } from './json-source.js';
import { LAKE_PARQUET_OPTIONS, lakePartFileName } from './lake-format.js';
import { openParquetSource } from './parquet-source.js';
import { isDataError, STAGED_ROWS_TABLE, type DirectRelation, type FileReading, type ReaderInput, type ReaderOutcome, type SourceRelation, type Unreadable } from './source-relation.js';
import { prepareInput } from './staged-input.js';
import { effectiveFields, lakeRowsSql, rowErrorsSql, validatedRowsSql, type FileContext } from './validation-sql.js';

const READERS: Record<InputFormat, (input: ReaderInput) => Promise<ReaderOutcome>> = {
  csv: openCsvSource,
  json: openJsonSource,
  parquet: openParquetSource,
};

/** What one file contributed. */
type FileOutcome = { readonly kind: 'read'; readonly records: number; readonly written: number } | Unreadable;

/** The default of ACTIVATOR_MAX_RECORD_BYTES: 16 MiB. */
export const DEFAULT_MAX_RECORD_BYTES = 16 << 20;

/** Limits of ingestion. */
export interface IngestionOptions {
  /** Largest record (CSV row, NDJSON line, JSON array element) read; a larger one is a RECORD_TOO_LARGE row. */
  readonly maxRecordBytes?: number;
}

/** Ingestion over one DuckDB instance; each batch runs on its own connection. */
export class DuckDbIngestionEngine implements IngestionEngine {
  private readonly maxRecordBytes: number;

  constructor(
    private readonly database: DuckDbDatabase,
    options: IngestionOptions = {},
  ) {
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  async ingest(request: IngestRequest): Promise<IngestResult> {
    await mkdir(request.tmpDir, { recursive: true });
    const workDir = await mkdtemp(path.join(request.tmpDir, `ingest-${request.batchId}-`));
    try {
      return await this.database.withConnection((connection) => new BatchIngestion(connection, request, workDir, this.maxRecordBytes).run());
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
}

/** One batch on one connection: files in order, then the outcome, the error files and (on success) the publish. */
class BatchIngestion {
  private readonly stagingDir: string;
  private parts = 0;
  private doomed = false;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly request: IngestRequest,
    private readonly workDir: string,
    private readonly maxRecordBytes: number,
  ) {
    this.stagingDir = path.join(workDir, 'lake');
  }

  async run(): Promise<IngestResult> {
    const { request } = this;
    effectiveFields(request.schema); // fails fast on a schema the lake cannot hold
    await assertOrderPreserved(this.connection);
    await mkdir(this.stagingDir);
    await createErrorTable(this.connection);
    const files: { name: string; records: number }[] = [];
    const warnings: FileWarning[] = [];
    let inputByteSize = 0;
    let written = 0;
    for (const [fileIndex, file] of request.files.entries()) {
      // Each file's scratch (inflated gzip, sanitised rows) is removed as soon as the file is done.
      const fileDir = path.join(this.workDir, `file-${fileIndex}`);
      await mkdir(fileDir);
      try {
        const prepared = await prepareInput(file.path, fileDir, fileIndex);
        inputByteSize += prepared.uploadedBytes;
        const outcome = !prepared.readable
          ? ({ kind: 'unreadable', reason: prepared.reason } as const)
          : prepared.empty
            ? ({ kind: 'read', records: 0, written: 0 } as const)
            : await this.ingestFile(fileIndex, prepared.path, fileDir);
        if (outcome.kind === 'unreadable') {
          await insertUnreadableFile(this.connection, fileIndex, file.name, outcome.reason, outcome.code);
          this.doomed = true;
        } else written += outcome.written;
        files.push({ name: file.name, records: outcome.kind === 'read' ? outcome.records : 0 });
        if (outcome.kind === 'read' && outcome.records === 0) warnings.push({ code: 'EMPTY_FILE', file: file.name });
      } finally {
        await rm(fileDir, { recursive: true, force: true });
      }
      request.onProgress?.(files.reduce((sum, entry) => sum + entry.records, 0));
    }
    const summary = await summarizeErrors(this.connection);
    const inputRecordCount = files.reduce((sum, entry) => sum + entry.records, 0);
    const status = batchStatus(summary.unreadableFiles, summary.failedRows, inputRecordCount, request.errorThreshold);
    await mkdir(request.errorsDir, { recursive: true });
    await writeErrorFiles(this.connection, request.errorsDir);
    if (status === 'success') await this.publish();
    return {
      status,
      inputRecordCount,
      outputRecordCount: status === 'success' ? written : 0,
      failedRecordCount: summary.failedRows,
      inputByteSize,
      files,
      errorCounts: summary.counts,
      failedRows: summary.firstRows,
      warnings,
    };
  }

  private async ingestFile(fileIndex: number, plainPath: string, fileDir: string): Promise<FileOutcome> {
    const { request } = this;
    const fileName = request.files[fileIndex]?.name ?? '';
    const input: ReaderInput = { path: plainPath, maxRecordBytes: this.maxRecordBytes, fileIndex, fields: effectiveFields(request.schema), workDir: fileDir, connection: this.connection };
    const outcome = await READERS[request.format](input);
    if (outcome.kind === 'empty') return { kind: 'read', records: 0, written: 0 };
    if (outcome.kind === 'unreadable') return outcome;
    const context: FileContext = { fileIndex, fileName, completedAt: request.completedAt };
    if (outcome.direct && !this.doomed) {
      // Anything else (a rejected row, or DuckDB's reader giving up on the file) is sorted out by the checked passes.
      const optimistic = await this.writeOptimistic(outcome.direct, context);
      if (optimistic.kind === 'read') return optimistic;
    }
    const result = await this.readWithFallback(outcome, context);
    if (result.kind === 'read' && result.records !== result.written && request.errorThreshold === undefined) this.doomed = true;
    return result;
  }

  /**
   * The usual case in one pass: every row of the file valid, written straight from DuckDB's reader (no staging,
   * no row numbers, no count). `not-written` (and the part removed) when a row was not valid or the reader gave
   * up on the file (JSON: also a record it cannot take as it is).
   */
  private async writeOptimistic(direct: DirectRelation, context: FileContext): Promise<FileOutcome | { readonly kind: 'not-written' }> {
    const partPath = path.join(this.stagingDir, lakePartFileName(this.parts));
    const lakeRows = lakeRowsSql(this.request.schema, validatedRowsSql(this.request.schema, direct), context, 'optimistic');
    try {
      const written = await this.scalar(`COPY (${lakeRows.sql}) TO ${sqlString(partPath)} (${LAKE_PARQUET_OPTIONS})`, lakeRows.params);
      this.parts++;
      return { kind: 'read', records: written, written };
    } catch (error) {
      if (!isDataError(error)) throw error;
      await rm(partPath, { force: true });
      return { kind: 'not-written' };
    }
  }

  /** Runs the fast relation; if DuckDB's reader gives up on the data, the exact one (or the file is unreadable). */
  private async readWithFallback(reading: FileReading, context: FileContext): Promise<FileOutcome> {
    const partPath = path.join(this.stagingDir, lakePartFileName(this.parts));
    try {
      return await this.validate(reading.fast, context, partPath);
    } catch (error) {
      if (!isDataError(error)) throw error;
      await rm(partPath, { force: true });
    }
    const exact = reading.exact ? await reading.exact() : { kind: 'unreadable' as const, reason: reading.fastFailure ?? 'file cannot be read' };
    if ('kind' in exact) return exact;
    try {
      return await this.validate(exact, context, partPath);
    } catch (error) {
      if (!isDataError(error)) throw error;
      await rm(partPath, { force: true });
      return { kind: 'unreadable', reason: reading.fastFailure ?? 'file cannot be read' };
    }
  }

  /** Writes the valid rows to `partPath` (unless the batch already failed) and collects rejected rows when there are any. */
  private async validate(source: SourceRelation, context: FileContext, partPath: string): Promise<FileOutcome> {
    try {
      if (source.staging) await this.connection.run(source.staging.sql, paramsUsedBy(source.staging.sql, source.staging.params));
      return await this.validateStaged(source, context, partPath);
    } finally {
      await this.connection.run(`DROP TABLE IF EXISTS ${STAGED_ROWS_TABLE}`);
    }
  }

  private async validateStaged(source: SourceRelation, context: FileContext, partPath: string): Promise<FileOutcome> {
    const validated = validatedRowsSql(this.request.schema, source);
    let written = 0;
    const writeLake = !this.doomed;
    if (writeLake) {
      const lakeRows = lakeRowsSql(this.request.schema, validated, context);
      written = await this.scalar(`COPY (${lakeRows.sql}) TO ${sqlString(partPath)} (${LAKE_PARQUET_OPTIONS})`, lakeRows.params);
    }
    const records = await this.scalar(source.count.sql, source.count.params);
    if (!writeLake || written !== records) await insertRowErrors(this.connection, rowErrorsSql(validated, context));
    if (writeLake) this.parts++;
    return { kind: 'read', records, written };
  }

  private async scalar(sql: string, params: BoundSql['params']): Promise<number> {
    const result = await this.connection.runAndReadAll(sql, paramsUsedBy(sql, params));
    return Number(result.getRows()[0]?.[0] ?? 0);
  }

  /** Renames the staged parts into `lakeDir` (writing one empty part first when no file had rows). */
  private async publish(): Promise<void> {
    const { request } = this;
    if (this.parts === 0) await this.writeEmptyPart();
    if (await exists(request.lakeDir)) throw new Error(`Lake directory ${request.lakeDir} already exists`);
    await mkdir(path.dirname(request.lakeDir), { recursive: true });
    await rename(this.stagingDir, request.lakeDir);
  }

  private async writeEmptyPart(): Promise<void> {
    const fields = effectiveFields(this.request.schema);
    const columns = ['NULL::BIGINT AS "$row"', 'NULL::VARCHAR AS "$problem"', 'NULL::JSON AS "$record"', 'NULL::VARCHAR AS "$unknown"', 'NULL::VARCHAR AS "$identity_map"'];
    for (const field of fields) columns.push(`NULL::VARCHAR AS v${field.index}`, `false AS k${field.index}`);
    const source = { sql: `SELECT ${columns.join(', ')} WHERE false`, params: {}, hasIdentityMap: false, count: { sql: 'SELECT 0', params: {} } };
    const empty = validatedRowsSql(this.request.schema, source);
    const context: FileContext = { fileIndex: 0, fileName: '', completedAt: this.request.completedAt };
    const lakeRows = lakeRowsSql(this.request.schema, empty, context);
    await this.scalar(`COPY (${lakeRows.sql}) TO ${sqlString(path.join(this.stagingDir, lakePartFileName(0)))} (${LAKE_PARQUET_OPTIONS})`, lakeRows.params);
    this.parts = 1;
  }
}

/** Row numbers come from the position of rows staged by a parallel scan, which DuckDB keeps in file order only with this setting. */
async function assertOrderPreserved(connection: DuckDBConnection): Promise<void> {
  const result = await connection.runAndReadAll("SELECT current_setting('preserve_insertion_order') AS preserved");
  if (result.getRows()[0]?.[0] !== true) throw new Error('DuckDB preserve_insertion_order is off: ingestion cannot number rows');
}

/** SPEC §3.4: an unreadable file always fails; atomic batches fail on any rejected row; partial ones above the threshold. */
export function batchStatus(unreadableFiles: number, failedRows: number, inputRows: number, errorThreshold: number | undefined): 'success' | 'failed' {
  if (unreadableFiles > 0) return 'failed';
  if (errorThreshold === undefined) return failedRows > 0 ? 'failed' : 'success';
  return 100 * failedRows > errorThreshold * inputRows ? 'failed' : 'success';
}

async function exists(target: string): Promise<boolean> {
  return stat(target).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
}
