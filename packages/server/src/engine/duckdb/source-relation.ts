// The contract between the format readers (CSV, JSON, Parquet) and validation: one text relation per file.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { BoundSql } from './ingestion-sql.js';
import type { EffectiveField } from './validation-sql.js';

/**
 * One row per data row of a file, with columns
 * `"$row"` (BIGINT, 1-based data row), `"$problem"` (MALFORMED_ROW reason or NULL), `"$record"` (JSON: the row as read),
 * `"$unknown"` (path of the first undeclared field present, or NULL), `"$identity_map"` (identityMap JSON text or NULL),
 * and per effective field `v<i>` (VARCHAR text, NULL = absent) and `k<i>` (BOOLEAN: the value is an object/array/struct).
 */
export interface SourceRelation extends BoundSql {
  /**
   * A statement to run first that copies the file's rows, in file order, into {@link STAGED_ROWS_TABLE} (the
   * relation then numbers rows by `rowid`; the caller drops the table). Text formats stage: a parallel
   * ordered scan into a temp table is cheaper than numbering with `row_number() OVER ()`, which would run every
   * later conversion on one thread, and later passes (count, rejected rows) no longer re-parse the file.
   */
  readonly staging?: BoundSql;
  /** Whether `"$identity_map"` can be non-NULL (validation skips the identityMap SQL otherwise). */
  readonly hasIdentityMap: boolean;
  /** Whether the relation has `"$segment_membership"` (the record's segmentMembership JSON text or NULL; JSON sources). */
  readonly hasSegmentMembership?: boolean;
  /**
   * Fields (effective indexes) read natively: the relation also has `n<i>`, the value already in its lake type
   * (NULL when absent or when it needs the text conversion), and `v<i>` is then only the text of the values
   * that need the conversion. Never an identity field.
   */
  readonly nativeFields?: ReadonlySet<number>;
  /** `SELECT count(*)` over the same rows: a cheap pass telling whether validation rejected any row. */
  readonly count: BoundSql;
}

/** Rows straight from a reader: no staging, no row numbers (`"$row"` NULL), no records (`"$record"` NULL). */
export type DirectRelation = Pick<SourceRelation, 'sql' | 'params' | 'hasIdentityMap' | 'hasSegmentMembership' | 'nativeFields'>;

/** The per-connection temp table a {@link SourceRelation.staging} statement fills. */
export const STAGED_ROWS_TABLE = 'ingest_staged_rows';

/** `CREATE OR REPLACE TEMP TABLE <staged rows> AS <select>`. */
export function stagingSql(select: BoundSql): BoundSql {
  return { sql: `CREATE OR REPLACE TEMP TABLE ${STAGED_ROWS_TABLE} AS ${select.sql}`, params: select.params };
}

/** A file that cannot be read at all: one file-level error (row 0), UNREADABLE_FILE unless `code` says otherwise. */
export interface Unreadable {
  readonly kind: 'unreadable';
  readonly reason: string;
  /** A header that does not fit the schema (CSV): its undeclared or missing required columns. */
  readonly code?: 'UNKNOWN_FIELD' | 'REQUIRED_FIELD_MISSING';
}

/**
 * How to read a file: `fast` is DuckDB's own reader, which may throw while running on a malformed file;
 * `exact` (CSV, NDJSON) re-reads the file row by row and is only built when `fast` failed.
 */
export interface FileReading {
  readonly kind: 'rows';
  /**
   * The file's rows straight from DuckDB's reader, without `"$row"` or `"$record"` (NULL) and without staging: the
   * optimistic pass, which only succeeds when every row is valid, reads it once.
   */
  readonly direct?: DirectRelation;
  readonly fast: SourceRelation;
  readonly exact?: () => Promise<SourceRelation | Unreadable>;
  /** The UNREADABLE_FILE reason when `fast` fails and there is no exact path. */
  readonly fastFailure?: string;
}

export type ReaderOutcome = { readonly kind: 'empty' } | Unreadable | FileReading;

/** What a reader gets: the plain (inflated) file, the fields to extract, scratch space and a connection. */
export interface ReaderInput {
  readonly path: string;
  /** Largest record (CSV row, NDJSON line, JSON array element) read; larger ones are RECORD_TOO_LARGE rows. */
  readonly maxRecordBytes: number;
  readonly fileIndex: number;
  readonly fields: readonly EffectiveField[];
  readonly workDir: string;
  readonly connection: DuckDBConnection;
}

/** DuckDB errors caused by the data (as opposed to a bug in our SQL, or the machine running out of memory). */
export function isDataError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  // The parallel CSV reader gives up on a line longer than its buffer with "Not implemented": the exact path reads it.
  return /^(Invalid Input|IO|Conversion|Invalid) Error/u.test(message) || message.startsWith('Not implemented Error: The Parallel CSV Reader');
}

/** The `"$problem"` of a record over the size limit: validation reports it as RECORD_TOO_LARGE (other problems are MALFORMED_ROW). */
export function recordTooLargeProblem(maxRecordBytes: number): string {
  return `${RECORD_TOO_LARGE_PREFIX}${maxRecordBytes} bytes`;
}

/** How {@link recordTooLargeProblem} texts start. */
export const RECORD_TOO_LARGE_PREFIX = 'record is larger than ';
