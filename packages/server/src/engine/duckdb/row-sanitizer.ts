// The exact path for CSV and NDJSON files DuckDB's reader gave up on: re-read in JavaScript, numbered row by row.
//
// Output is a normalised CSV that DuckDB always reads: header `"$row","$problem","$raw",c0,…,c<n-1>`, every row
// carrying its 1-based data row number, a MALFORMED_ROW reason with the raw text when it is broken, else
// its cells (empty = absent, anything else quoted). Values are not checked here: validation stays in SQL.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { CsvRecordScanner, type CsvRecord } from './csv-record-scanner.js';
import { recordTooLargeProblem } from './source-relation.js';

/** At most this much of a malformed or too large row's text is kept for `rejected.ndjson`. */
export const RAW_TEXT_LIMIT_BYTES = 64 << 10;

export type SanitizeOutcome = { readonly readable: true; readonly rows: number } | { readonly readable: false; readonly reason: string };

/** Max line length DuckDB must accept when reading sanitised output (cells re-quoted: at most twice as long). */
export function sanitizedMaxLineBytes(maxRecordBytes: number): number {
  return 2 * maxRecordBytes + RAW_TEXT_LIMIT_BYTES * 2 + 4096;
}

/**
 * DuckDB CSV reader options for lines up to `maxLineBytes`. Its default buffer holds 16 such lines (half a GiB per
 * buffer at 32 MiB lines); two are enough. A longer line makes the reader throw a data error (see isDataError).
 */
export function csvLineSizeOptions(maxLineBytes: number): string {
  return `max_line_size = ${maxLineBytes}, buffer_size = ${Math.max(32 << 20, 2 * maxLineBytes)}`;
}

/** CSV: the first record is the header (already read by the caller) and is skipped; each row must have `columnCount` cells. */
export async function sanitizeCsv(inputPath: string, outputPath: string, columnCount: number, maxRecordBytes: number): Promise<SanitizeOutcome> {
  const scanner = new CsvRecordScanner({ maxRecordBytes, rawLimitBytes: RAW_TEXT_LIMIT_BYTES });
  let headerSeen = false;
  return sanitize(inputPath, outputPath, columnCount, (chunk, writeRow) => {
    const records = chunk === undefined ? scanner.end() : scanner.push(chunk);
    for (const record of records) {
      if (!headerSeen) headerSeen = true;
      else writeRow(csvRowProblem(record, columnCount), record.raw, record.fields);
    }
  });
}

function csvRowProblem(record: CsvRecord, columnCount: number): string | undefined {
  if (record.problem !== undefined) return record.problem;
  if (record.fields.length !== columnCount) return `expected ${columnCount} columns, found ${record.fields.length}`;
  return undefined;
}

/** NDJSON: one row per line that is not blank (only spaces, tabs or CR); the single cell is the line. */
export async function sanitizeNdjson(inputPath: string, outputPath: string, maxRecordBytes: number): Promise<SanitizeOutcome> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let firstLine = true;
  const flushLine = (writeRow: RowWriter) => {
    const line = Buffer.concat(pending, Math.min(pendingBytes, maxRecordBytes + 1));
    pending = [];
    const bytes = pendingBytes;
    pendingBytes = 0;
    let text = line.subarray(0, Math.min(line.length, maxRecordBytes)).toString('utf8').replace(/\r$/u, '');
    if (firstLine) text = text.replace(/^\uFEFF/u, '');
    firstLine = false;
    if (/^[ \t\r]*$/u.test(text) && bytes <= maxRecordBytes) return;
    // The record is the line without its line end (LF, or CRLF).
    const recordBytes = line[Math.min(bytes, line.length) - 1] === 0x0d && bytes <= maxRecordBytes + 1 ? bytes - 1 : bytes;
    if (recordBytes > maxRecordBytes) writeRow(recordTooLargeProblem(maxRecordBytes), text.slice(0, RAW_TEXT_LIMIT_BYTES), []);
    else writeRow(undefined, text, [text]);
  };
  const keep = (part: Buffer) => {
    if (pendingBytes <= maxRecordBytes) pending.push(part);
    pendingBytes += part.length;
  };
  return sanitize(inputPath, outputPath, 1, (chunk, writeRow) => {
    if (chunk === undefined) {
      if (pendingBytes > 0) flushLine(writeRow);
      return;
    }
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      keep(chunk.subarray(start, newline));
      flushLine(writeRow);
      start = newline + 1;
    }
    if (start < chunk.length) keep(chunk.subarray(start));
  });
}

/** Writes the next row: a problem with the raw text, or the cells. */
export type RowWriter = (problem: string | undefined, raw: string, cells: readonly string[]) => void;
/** Splits the file's bytes into rows (`undefined` = end of file); throws {@link UnsplittableFileError} when it cannot. */
export type ChunkHandler = (chunk: Buffer | undefined, writeRow: RowWriter) => void;

/** The file cannot be split into rows at all (UNREADABLE_FILE with this reason). */
export class UnsplittableFileError extends Error {}

/** Runs `handle` over the file and writes the numbered rows it finds as normalised CSV (see the top of this file). */
export async function sanitize(inputPath: string, outputPath: string, columnCount: number, handle: ChunkHandler): Promise<SanitizeOutcome> {
  const out = createWriteStream(outputPath);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let rows = 0;
  let buffered: string[] = [];
  let bufferedLength = 0;
  const writeRow: RowWriter = (problem, raw, cells) => {
    rows++;
    const line = problem === undefined ? `${rows},,,${cells.map(quoteCell).join(',')}\n` : `${rows},${quoteCell(problem)},${quoteCell(raw)}${','.repeat(columnCount)}\n`;
    buffered.push(line);
    bufferedLength += line.length;
  };
  const flush = async () => {
    if (buffered.length === 0) return;
    const text = buffered.join('');
    buffered = [];
    bufferedLength = 0;
    if (!out.write(text)) await once(out, 'drain');
  };
  try {
    out.write(`"$row","$problem","$raw",${Array.from({ length: columnCount }, (_, index) => `c${index}`).join(',')}\n`);
    for await (const chunk of createReadStream(inputPath, { highWaterMark: 1 << 20 })) {
      const bytes = chunk as Buffer;
      utf8.decode(bytes, { stream: true });
      handle(bytes, writeRow);
      if (bufferedLength > 1 << 20) await flush();
    }
    utf8.decode();
    handle(undefined, writeRow);
    await flush();
    return { readable: true, rows };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') return { readable: false, reason: 'file is not valid UTF-8' };
    if (error instanceof UnsplittableFileError) return { readable: false, reason: error.message };
    throw error;
  } finally {
    await closeStream(out);
  }
}

/** Empty cells stay unquoted (read back as absent); everything else is quoted with doubled quotes. */
function quoteCell(text: string): string {
  return text === '' ? '' : `"${text.replaceAll('"', '""')}"`;
}

async function closeStream(stream: WriteStream): Promise<void> {
  if (stream.closed) return;
  stream.end();
  await once(stream, 'close');
}
