// CSV reader: the header is read in JavaScript, the rows by DuckDB (fast path) or by the exact row sanitizer.
//
// Row numbers: the fast path stages DuckDB's ordered scan in a temp table and numbers rows by position
// (`rowid + 1`), which is exact because the scan runs strict (any malformed row makes it throw; nothing is
// skipped but blank lines, which are not rows). When it throws, the row sanitizer re-reads the file and
// writes each row's number itself.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { CsvRecordScanner } from './csv-record-scanner.js';
import { quoteIdentifier, sqlString, type BoundSql } from './ingestion-sql.js';
import { csvLineSizeOptions, sanitizeCsv, sanitizedMaxLineBytes } from './row-sanitizer.js';
import { STAGED_ROWS_TABLE, stagingSql, type DirectRelation, type ReaderInput, type ReaderOutcome, type SourceRelation, type Unreadable } from './source-relation.js';
import type { EffectiveField } from './validation-sql.js';

/** The first record of a CSV file, or why there is none. */
type HeaderOutcome =
  | { readonly kind: 'header'; readonly names: readonly string[]; readonly leadingBlankLines: boolean }
  | { readonly kind: 'empty' }
  | Unreadable;

/** Reads the header record (and validates UTF-8 of what it read on the way). */
export async function readCsvHeader(filePath: string, maxRecordBytes: number): Promise<HeaderOutcome> {
  const scanner = new CsvRecordScanner({ maxRecordBytes, rawLimitBytes: 0 });
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stream = createReadStream(filePath, { highWaterMark: 64 << 10 });
  try {
    for await (const chunk of stream) {
      utf8.decode(chunk as Buffer, { stream: true });
      const [header] = scanner.push(chunk as Buffer);
      if (header) return headerOutcome(header.fields, header.problem, scanner.blankLines > 0);
    }
    utf8.decode();
    const [header] = scanner.end();
    return header ? headerOutcome(header.fields, header.problem, scanner.blankLines > 0) : { kind: 'empty' };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') return { kind: 'unreadable', reason: 'file is not valid UTF-8' };
    throw error;
  } finally {
    stream.destroy();
  }
}

function headerOutcome(fields: readonly string[], problem: string | undefined, leadingBlankLines: boolean): HeaderOutcome {
  if (problem !== undefined) return { kind: 'unreadable', reason: `header row is malformed: ${problem}` };
  const names = fields.map((name) => name.trim());
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) return { kind: 'unreadable', reason: `header names column ${duplicate} more than once` };
  return { kind: 'header', names, leadingBlankLines };
}

/**
 * Every problem of a header at once (SPEC §3.4: reported once): the columns the schema does not declare and the
 * required fields without a column, or undefined when the header fits the schema. Pure.
 */
export function headerProblem(names: readonly string[], fields: readonly EffectiveField[]): Unreadable | undefined {
  const declared = new Set(fields.map((field) => field.path));
  const present = new Set(names);
  const unknown = names.filter((name) => !declared.has(name) && name !== 'identityMap');
  const missing = fields.filter((field) => field.required && !present.has(field.path)).map((field) => field.path);
  if (unknown.length === 0 && missing.length === 0) return undefined;
  const parts = [
    ...(unknown.length > 0 ? [`has columns not declared in the schema (${unknown.join(', ')})`] : []),
    ...(missing.length > 0 ? [`lacks required columns (${missing.join(', ')})`] : []),
  ];
  return { kind: 'unreadable', code: unknown.length > 0 ? 'UNKNOWN_FIELD' : 'REQUIRED_FIELD_MISSING', reason: `header ${parts.join(' and ')}` };
}

/** Opens a CSV file for validation. */
export async function openCsvSource(input: ReaderInput): Promise<ReaderOutcome> {
  const header = await readCsvHeader(input.path, input.maxRecordBytes);
  if (header.kind !== 'header') return header;
  const problem = headerProblem(header.names, input.fields);
  if (problem !== undefined) return problem;
  const columns = header.names.map((_, index) => `c${index}`);
  const exact = async (): Promise<SourceRelation | Unreadable> => {
    const sanitizedPath = path.join(input.workDir, `input-${input.fileIndex}.rows.csv`);
    const outcome = await sanitizeCsv(input.path, sanitizedPath, header.names.length, input.maxRecordBytes);
    if (!outcome.readable) return { kind: 'unreadable', reason: outcome.reason };
    return csvRelation(input.fields, header.names, sanitizedScan(sanitizedPath, columns, input.maxRecordBytes), 'exact');
  };
  if (header.leadingBlankLines) {
    // DuckDB's header option skips the first line, so blank lines before the header go straight to the exact path.
    const relation = await exact();
    return 'kind' in relation ? relation : { kind: 'rows', fast: relation };
  }
  const scan = fastScan(input.path, columns, input.maxRecordBytes);
  return { kind: 'rows', direct: csvRelation(input.fields, header.names, scan, 'direct'), fast: csvRelation(input.fields, header.names, scan, 'fast'), exact };
}

/** DuckDB's CSV reader, strict: every cell as text, nothing tolerated (errors fall back to the exact path). */
function fastScan(filePath: string, columns: readonly string[], maxRecordBytes: number): BoundSql {
  const columnTypes = columns.map((column) => `${sqlString(column)}: 'VARCHAR'`).join(', ');
  const scan =
    `read_csv($csv_path, header = true, auto_detect = false, columns = {${columnTypes}}, delim = ',', quote = '"', escape = '"', ` +
    // DuckDB counts the line end in a line: +1 takes every record of at most maxRecordBytes (LF); a longer one
    // (or a CRLF record of exactly the limit) throws and the exact path decides.
    `allow_quoted_nulls = false, strict_mode = true, null_padding = false, ignore_errors = false, ${csvLineSizeOptions(maxRecordBytes + 1)})`;
  // With one column DuckDB returns a blank line as a NULL row; an empty data cell is `""` and reads as ''.
  const sql = columns.length === 1 ? `SELECT * FROM ${scan} WHERE c0 IS NOT NULL` : `SELECT * FROM ${scan}`;
  return { sql, params: { csv_path: filePath } };
}

/** The sanitizer's output: always well-formed, rows already numbered. */
function sanitizedScan(filePath: string, columns: readonly string[], maxRecordBytes: number): BoundSql {
  const columnTypes = ['$row', '$problem', '$raw', ...columns].map((column) => `${sqlString(column)}: '${column === '$row' ? 'BIGINT' : 'VARCHAR'}'`).join(', ');
  const sql =
    `SELECT * FROM read_csv($csv_path, header = true, auto_detect = false, columns = {${columnTypes}}, delim = ',', quote = '"', ` +
    `escape = '"', strict_mode = true, ${csvLineSizeOptions(sanitizedMaxLineBytes(maxRecordBytes))})`;
  return { sql, params: { csv_path: filePath } };
}

/**
 * The source relation over the rows of `scan`: staged and numbered by position (fast), staged with `"$row"` from
 * the sanitizer (exact), or straight from the scan without row numbers nor records (direct).
 */
function csvRelation(fields: readonly EffectiveField[], names: readonly string[], scan: BoundSql, mode: 'direct'): DirectRelation;
function csvRelation(fields: readonly EffectiveField[], names: readonly string[], scan: BoundSql, mode: 'fast' | 'exact'): SourceRelation;
function csvRelation(fields: readonly EffectiveField[], names: readonly string[], scan: BoundSql, mode: 'direct' | 'fast' | 'exact'): SourceRelation | DirectRelation {
  const columnOf = new Map(names.map((name, index) => [name, `c${index}`]));
  const cell = (name: string) => {
    const column = columnOf.get(name);
    return column === undefined ? 'NULL::VARCHAR' : `NULLIF(${quoteIdentifier(column)}, '')`;
  };
  const headerParams = Object.fromEntries(names.map((name, index) => [`csv_h${index}`, name]));
  const cellsRecord = `json_object(${names.map((_, index) => `$csv_h${index}, coalesce(c${index}, '')`).join(', ')})`;
  const values = fields.flatMap((field) => [`${cell(field.path)} AS v${field.index}`, `false AS k${field.index}`]);
  // The header fits the schema (headerProblem): no column is undeclared.
  const common = ['NULL::VARCHAR AS "$unknown"', `${cell('identityMap')} AS "$identity_map"`, ...values];
  const rowColumns = {
    direct: ['NULL::BIGINT AS "$row"', 'NULL::VARCHAR AS "$problem"', 'NULL::JSON AS "$record"'],
    fast: ['rowid + 1 AS "$row"', 'NULL::VARCHAR AS "$problem"', `${cellsRecord} AS "$record"`],
    exact: ['"$row"', '"$problem"', `CASE WHEN "$problem" IS NOT NULL THEN to_json("$raw") ELSE ${cellsRecord} END AS "$record"`],
  }[mode];
  const params = headerParams;
  if (mode === 'direct') {
    return { sql: `SELECT ${[...rowColumns, ...common].join(', ')} FROM (${scan.sql})`, params: { ...scan.params, ...params }, hasIdentityMap: columnOf.has('identityMap') };
  }
  return {
    staging: stagingSql(scan),
    sql: `SELECT ${[...rowColumns, ...common].join(', ')} FROM ${STAGED_ROWS_TABLE}`,
    params,
    hasIdentityMap: columnOf.has('identityMap'),
    count: { sql: `SELECT count(*) AS n FROM ${STAGED_ROWS_TABLE}`, params: {} },
  };
}
