// Names of the lake's Parquet layout (documented in LAKE-FORMAT.md): part files, the system columns of every row, declared-field columns.

/**
 * The lake's system columns, logical and physical (see LAKE-FORMAT.md). Every internal name starts with `$`,
 * outside the field-path grammar (SPEC §3.1), so no declared field can ever take one; SQL always quotes them
 * (`"$file"`). Event datasets' `timestamp` and `_id` are not here: they are the XDM fields of those names.
 */
export const LAKE_COLUMN = {
  file: '$file',
  row: '$row',
  identities: '$identities',
  mapIdentities: '$map_identities',
  segmentMembership: '$segment_membership',
  primaryNs: '$primary_ns',
  primaryId: '$primary_id',
  fragmentTime: '$fragment_time',
  batchCompletedAt: '$batch_completed_at',
} as const;

/**
 * Declared paths that DuckDB's Parquet reader cannot hold under their own name: a part with a column named
 * `file_row_number` (in any case: DuckDB compares names case-insensitively) cannot be read with
 * `file_row_number = true`, which readers need to number rows.
 */
const READER_GENERATED_COLUMNS: readonly string[] = ['file_row_number'];

/**
 * The physical column of a declared field in a part: its dotted path, except the paths in
 * {@link READER_GENERATED_COLUMNS}, stored as `$field.<path>`. Readers expose the logical column by path.
 */
export function lakeFieldColumn(path: string): string {
  return READER_GENERATED_COLUMNS.includes(path.toLowerCase()) ? `$field.${path}` : path;
}

/** `part-00000.parquet`, `part-00001.parquet`, … in a batch directory. */
export function lakePartFileName(index: number): string {
  return `part-${String(index).padStart(5, '0')}.parquet`;
}

/**
 * COPY options of lake part files: Parquet format version 2 (DELTA encodings) writes the lake's columns about
 * 10% faster than version 1 and about half the size, and every reader here is DuckDB.
 */
export const LAKE_PARQUET_OPTIONS = 'FORMAT parquet, PARQUET_VERSION v2';
