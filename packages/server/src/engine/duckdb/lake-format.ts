// Names of the lake's Parquet layout (documented in LAKE-FORMAT.md): part files and the system columns of every row.

/** Names of the lake's system columns, logical and physical (see LAKE-FORMAT.md): no declared field may use them. */
const LAKE_SYSTEM_COLUMNS: readonly string[] = ['_file', '_row', '_identities', '_map_identities', '_primary_ns', '_primary_id', '_fragment_time', '_batch_completed_at'];

/** `part-00000.parquet`, `part-00001.parquet`, … in a batch directory. */
export function lakePartFileName(index: number): string {
  return `part-${String(index).padStart(5, '0')}.parquet`;
}

/** Declared field paths that would collide with a system column (the dataset schema must not use them). */
export function reservedLakeColumn(path: string): boolean {
  return LAKE_SYSTEM_COLUMNS.includes(path);
}

/**
 * COPY options of lake part files: Parquet format version 2 (DELTA encodings) writes the lake's columns about
 * 10% faster than version 1 and about half the size, and every reader here is DuckDB.
 */
export const LAKE_PARQUET_OPTIONS = 'FORMAT parquet, PARQUET_VERSION v2';
