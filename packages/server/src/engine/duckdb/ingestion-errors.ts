// The rejected rows of one ingestion: a temp table per connection, its summary, and the two error files written from it.
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RowError, RowErrorCode } from '../lake-schema.js';
import { paramsUsedBy, sqlString, type BoundSql } from './ingestion-sql.js';

/** Per-connection temp table: one row per rejected row (`row` 0 = an error of the whole file). */
const ERRORS_TABLE = 'ingest_row_errors';

/** How many rejected rows the batch reports inline (SPEC §3.3: the first 100). */
export const FAILED_ROWS_LIMIT = 100;

export async function createErrorTable(connection: DuckDBConnection): Promise<void> {
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${ERRORS_TABLE} (file_index INTEGER, file VARCHAR, row BIGINT, field VARCHAR, code VARCHAR, message VARCHAR, record JSON)`,
  );
}

/** Appends the rows of `errors` (columns as in the table, e.g. from `rowErrorsSql`). */
export async function insertRowErrors(connection: DuckDBConnection, errors: BoundSql): Promise<void> {
  await connection.run(`INSERT INTO ${ERRORS_TABLE} ${errors.sql}`, paramsUsedBy(errors.sql, errors.params));
}

/** A file-level error (row 0): UNREADABLE_FILE, or a header that does not fit the schema. */
export async function insertUnreadableFile(connection: DuckDBConnection, fileIndex: number, file: string, reason: string, code: RowErrorCode = 'UNREADABLE_FILE'): Promise<void> {
  await connection.run(`INSERT INTO ${ERRORS_TABLE} VALUES ($file_index, $file, 0, NULL, $code, $message, NULL)`, {
    file_index: fileIndex,
    file,
    code,
    message: reason,
  });
}

export interface ErrorSummary {
  /** Rejected data rows (file-level errors not included). */
  readonly failedRows: number;
  /** Files with a file-level error (row 0): they fail the batch whatever the threshold. */
  readonly unreadableFiles: number;
  readonly counts: Partial<Record<RowErrorCode, number>>;
  readonly firstRows: RowError[];
}

export async function summarizeErrors(connection: DuckDBConnection): Promise<ErrorSummary> {
  const counts: Partial<Record<RowErrorCode, number>> = {};
  const grouped = await connection.runAndReadAll(`SELECT code, count(*)::INTEGER AS n FROM ${ERRORS_TABLE} GROUP BY code`);
  for (const row of grouped.getRowObjectsJS()) counts[row['code'] as RowErrorCode] = row['n'] as number;
  const first = await connection.runAndReadAll(
    `SELECT file, row::DOUBLE AS row, field, code, message FROM ${ERRORS_TABLE} ORDER BY file_index, row LIMIT ${FAILED_ROWS_LIMIT}`,
  );
  const firstRows = first.getRowObjectsJS().map((row): RowError => {
    const base = { file: row['file'] as string, row: row['row'] as number, code: row['code'] as RowErrorCode, message: row['message'] as string };
    return row['field'] === null ? base : { ...base, field: row['field'] as string };
  });
  const fileLevel = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${ERRORS_TABLE} WHERE row = 0`);
  const unreadableFiles = Number(fileLevel.getRows()[0]?.[0] ?? 0);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return { failedRows: total - unreadableFiles, unreadableFiles, counts, firstRows };
}

/**
 * Writes `errors.ndjson` (`{file,row,field?,code,message}`) and `rejected.ndjson` (`{file,row,record?}`) into
 * `errorsDir`, in file then row order, straight from DuckDB (no row passes through JavaScript).
 */
export async function writeErrorFiles(connection: DuckDBConnection, errorsDir: string): Promise<void> {
  const errorLine =
    "CASE WHEN field IS NULL THEN json_object('file', file, 'row', row, 'code', code, 'message', message) " +
    "ELSE json_object('file', file, 'row', row, 'field', field, 'code', code, 'message', message) END";
  const rejectedLine = "CASE WHEN record IS NULL THEN json_object('file', file, 'row', row) ELSE json_object('file', file, 'row', row, 'record', record) END";
  await copyLines(connection, errorLine, path.join(errorsDir, 'errors.ndjson'));
  await copyLines(connection, rejectedLine, path.join(errorsDir, 'rejected.ndjson'));
}

async function copyLines(connection: DuckDBConnection, line: string, target: string): Promise<void> {
  // One JSON text per row, written raw: the CSV writer with neither quote nor escape adds nothing around it.
  await connection.run(
    `COPY (SELECT (${line})::VARCHAR AS line FROM ${ERRORS_TABLE} ORDER BY file_index, row) TO ${sqlString(target)} ` +
      `(FORMAT csv, HEADER false, QUOTE '', ESCAPE '')`,
  );
}
