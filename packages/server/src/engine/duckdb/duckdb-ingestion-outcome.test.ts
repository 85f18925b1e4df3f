import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionHarness, failures, field } from '../../../test/support/ingestion-harness.js';
import type { DatasetSchema } from '../lake-schema.js';
import { batchStatus } from './duckdb-ingestion.js';

const SCHEMA: DatasetSchema = {
  class: 'profile',
  fields: [field('crmId', 'string', { required: true }), field('points', 'integer')],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
};

/** `rows` data rows; the rows listed in `bad` have a non-integer `points`. */
function csvWithBadRows(rows: number, bad: readonly number[]): string {
  const lines = Array.from({ length: rows }, (_, index) => `C${index + 1},${bad.includes(index + 1) ? 'x' : index + 1}`);
  return `crmId,points\n${lines.join('\n')}\n`;
}

describe('DuckDbIngestionEngine — outcome', () => {
  let harness: IngestionHarness;
  beforeAll(async () => {
    harness = await IngestionHarness.open();
  });
  afterAll(() => harness.close());

  it('warns EMPTY_FILE for every file without a data row, in every format, and not for unreadable files', async () => {
    const csv = await harness.ingest({
      schema: SCHEMA,
      format: 'csv',
      files: [
        { name: 'zero.csv', content: '' },
        { name: 'header.csv', content: 'crmId,points\n' },
        { name: 'blank-lines.csv', content: 'crmId,points\n\n\n' },
        { name: 'gzip-empty.csv', content: '', gzip: true },
        { name: 'rows.csv', content: 'crmId,points\nC-1,1\n' },
      ],
    });
    expect(csv.result).toMatchObject({ status: 'success', inputRecordCount: 1, outputRecordCount: 1 });
    expect(csv.result.warnings).toEqual(['zero.csv', 'header.csv', 'blank-lines.csv', 'gzip-empty.csv'].map((file) => ({ code: 'EMPTY_FILE', file })));

    const json = await harness.ingest({
      schema: SCHEMA,
      format: 'json',
      files: [
        { name: 'array.json', content: ' [ ]\n' },
        { name: 'blank.ndjson', content: '\n  \n\t\n' },
        { name: 'zero.json', content: '' },
        { name: 'broken.json', content: '[{"crmId": ' },
      ],
      errorThreshold: 100,
    });
    expect(json.result.status).toBe('failed');
    expect(json.result.warnings).toEqual(['array.json', 'blank.ndjson', 'zero.json'].map((file) => ({ code: 'EMPTY_FILE', file })));

    const parquet = await harness.ingest({
      schema: SCHEMA,
      format: 'parquet',
      files: [{ name: 'none.parquet', path: await harness.parquetFixture('none.parquet', "SELECT 'C-1' AS crmId, 1::BIGINT AS points WHERE false") }],
    });
    expect(parquet.result).toMatchObject({ status: 'success', inputRecordCount: 0, warnings: [{ code: 'EMPTY_FILE', file: 'none.parquet' }] });
  });

  it('keeps the valid rows when failed/input stays within the threshold: 2 bad of 40 is 5%', async () => {
    const files = [{ name: 'forty.csv', content: csvWithBadRows(40, [7, 33]) }];
    const withinFive = await harness.ingest({ schema: SCHEMA, format: 'csv', files, errorThreshold: 5 });
    expect(withinFive.result).toMatchObject({ status: 'success', inputRecordCount: 40, outputRecordCount: 38, failedRecordCount: 2 });
    expect(withinFive.rows).toHaveLength(38);
    expect(withinFive.rows.map((row) => row['$row'])).not.toContain('7');
    expect(failures(withinFive)).toEqual(['forty.csv:7:TYPE_MISMATCH:points', 'forty.csv:33:TYPE_MISMATCH:points']);

    const withinFour = await harness.ingest({ schema: SCHEMA, format: 'csv', files, errorThreshold: 4 });
    expect(withinFour.result).toMatchObject({ status: 'failed', inputRecordCount: 40, outputRecordCount: 0, failedRecordCount: 2 });
    expect(withinFour.lakeExists).toBe(false);
    expect(withinFour.errorLines).toHaveLength(2);
  });

  it('fails an atomic batch on one rejected row and leaves no lake directory and no scratch files', async () => {
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'csv', files: [{ name: 'one-bad.csv', content: csvWithBadRows(10, [10]) }] });
    expect(outcome.result).toMatchObject({ status: 'failed', inputRecordCount: 10, outputRecordCount: 0, failedRecordCount: 1 });
    expect(outcome.lakeExists).toBe(false);
    expect(existsSync(path.dirname(outcome.lakeDir))).toBe(false);
    expect(outcome.tmpLeftovers).toEqual([]);
  });

  it('fails a partial batch with an unreadable file whatever the threshold, still reporting the other files', async () => {
    const outcome = await harness.ingest({
      schema: SCHEMA,
      format: 'csv',
      files: [
        { name: 'good.csv', content: csvWithBadRows(3, [2]) },
        { name: 'binary.csv', content: Buffer.from([0x63, 0x72, 0x6d, 0x0a, 0xc3, 0x28]) },
      ],
      errorThreshold: 100,
    });
    expect(outcome.result.status).toBe('failed');
    expect(failures(outcome)).toEqual(['good.csv:2:TYPE_MISMATCH:points', 'binary.csv:0:UNREADABLE_FILE']);
    expect(outcome.result).toMatchObject({ inputRecordCount: 3, failedRecordCount: 1, errorCounts: { TYPE_MISMATCH: 1, UNREADABLE_FILE: 1 } });
    expect(outcome.lakeExists).toBe(false);
  });

  it('keeps validating the later files of a batch that already failed, to report all their errors', async () => {
    const outcome = await harness.ingest({
      schema: SCHEMA,
      format: 'csv',
      files: [
        { name: '1.csv', content: csvWithBadRows(3, [1]) },
        { name: '2.csv', content: csvWithBadRows(3, [3]) },
        { name: '3.csv', content: csvWithBadRows(3, []) },
      ],
    });
    expect(outcome.result).toMatchObject({ status: 'failed', inputRecordCount: 9, failedRecordCount: 2, outputRecordCount: 0 });
    expect(outcome.result.files.map((file) => file.records)).toEqual([3, 3, 3]);
    expect(failures(outcome)).toEqual(['1.csv:1:TYPE_MISMATCH:points', '2.csv:3:TYPE_MISMATCH:points']);
  });

  it('writes $row only for a file with rejected rows; clean files are numbered by position', async () => {
    const outcome = await harness.ingest({
      schema: SCHEMA,
      format: 'csv',
      files: [
        { name: 'clean.csv', content: csvWithBadRows(3, []) },
        { name: 'gaps.csv', content: csvWithBadRows(4, [2]) },
      ],
      errorThreshold: 50,
    });
    const physical = async (part: string) => Object.keys(await harness.db.query(`SELECT * FROM read_parquet('${outcome.lakeDir}/${part}') LIMIT 1`).then((rows) => rows[0] ?? {}));
    expect(await physical('part-00000.parquet')).toEqual(['crmId', 'points', '$file', '$batch_completed_at']);
    expect(await physical('part-00001.parquet')).toEqual(['crmId', 'points', '$file', '$row', '$batch_completed_at']);
    // Readers see the same logical rows either way: every file's rows with their data row numbers.
    expect(outcome.rows.map((row) => `${String(row['$file'])}:${String(row['$row'])}:${String(row['crmId'])}:${String(row['$primary_id'])}`)).toEqual([
      'clean.csv:1:C1:C1',
      'clean.csv:2:C2:C2',
      'clean.csv:3:C3:C3',
      'gaps.csv:1:C1:C1',
      'gaps.csv:3:C3:C3',
      'gaps.csv:4:C4:C4',
    ]);
  });

  it('reports rows in file order (as uploaded) then row order, one part per file', async () => {
    const outcome = await harness.ingest({
      schema: SCHEMA,
      format: 'csv',
      files: [
        { name: 'b.csv', content: csvWithBadRows(5, [4, 2]) },
        { name: 'a.csv', content: csvWithBadRows(5, [1]) },
      ],
      errorThreshold: 50,
    });
    expect(failures(outcome)).toEqual(['b.csv:2:TYPE_MISMATCH:points', 'b.csv:4:TYPE_MISMATCH:points', 'a.csv:1:TYPE_MISMATCH:points']);
    expect(outcome.result.files).toEqual([
      { name: 'b.csv', records: 5 },
      { name: 'a.csv', records: 5 },
    ]);
    expect(outcome.parts).toEqual(['part-00000.parquet', 'part-00001.parquet']);
    const perPart = await harness.jsonRows(
      `SELECT parse_filename(filename) AS part, min("$file") AS file, count(*)::INTEGER AS n FROM read_parquet('${outcome.lakeDir}/*.parquet', filename = true) GROUP BY ALL ORDER BY part`,
    );
    expect(perPart).toEqual([
      { part: 'part-00000.parquet', file: 'b.csv', n: 3 },
      { part: 'part-00001.parquet', file: 'a.csv', n: 4 },
    ]);
  });

  it('runs batches concurrently on one database without mixing their staged rows or errors', async () => {
    const [first, second] = await Promise.all([
      harness.ingest({ schema: SCHEMA, format: 'csv', files: [{ name: 'c1.csv', content: csvWithBadRows(500, [10]) }], errorThreshold: 50 }),
      harness.ingest({ schema: SCHEMA, format: 'csv', files: [{ name: 'c2.csv', content: csvWithBadRows(300, [20, 30]) }], errorThreshold: 50 }),
    ]);
    expect(failures(first)).toEqual(['c1.csv:10:TYPE_MISMATCH:points']);
    expect(failures(second)).toEqual(['c2.csv:20:TYPE_MISMATCH:points', 'c2.csv:30:TYPE_MISMATCH:points']);
    expect([first.rows.length, second.rows.length]).toEqual([499, 298]);
  });

  it('returns the first 100 failed rows and writes all of them to the error files', async () => {
    const bad = Array.from({ length: 150 }, (_, index) => index + 1);
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'csv', files: [{ name: 'many.csv', content: csvWithBadRows(200, bad) }] });
    expect(outcome.result.failedRecordCount).toBe(150);
    expect(outcome.result.failedRows).toHaveLength(100);
    expect(outcome.result.failedRows[99]).toMatchObject({ row: 100 });
    expect(outcome.errorLines).toHaveLength(150);
    expect(outcome.errorLines[149]).toEqual({ file: 'many.csv', row: 150, field: 'points', code: 'TYPE_MISMATCH', message: 'expected an integer' });
    expect(outcome.rejectedLines[149]).toEqual({ file: 'many.csv', row: 150, record: { crmId: 'C150', points: 'x' } });
  });

  it('never copies a rejected value into errors.ndjson or failedRows', async () => {
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'csv', files: [{ name: 's.csv', content: 'crmId,points\nC1,SECRET-4111\n' }] });
    expect(JSON.stringify(outcome.errorLines)).not.toContain('SECRET');
    expect(JSON.stringify(outcome.result.failedRows)).not.toContain('SECRET');
    expect(JSON.stringify(outcome.rejectedLines)).toContain('SECRET-4111');
  });

  /** A request outside the harness, for what it does not cover (existing directories, progress, no files). */
  function directRequest(name: string, files: readonly { name: string; content: string }[]) {
    const base = path.join(harness.root, name);
    const staged = files.map((file, index) => {
      const target = harness.fixturePath(`${name}-${index}.csv`);
      writeFileSync(target, file.content);
      return { name: file.name, path: target };
    });
    return {
      sandboxId: 's',
      datasetId: 'd',
      batchId: name,
      schema: SCHEMA,
      format: 'csv' as const,
      files: staged,
      errorThreshold: undefined,
      completedAt: 0,
      lakeDir: path.join(base, 'lake'),
      errorsDir: path.join(base, 'errors'),
      tmpDir: path.join(base, 'tmp'),
    };
  }

  it('publishes by renaming a complete directory, and refuses to overwrite an existing batch directory', async () => {
    const request = directRequest('taken', [{ name: 'x.csv', content: csvWithBadRows(2, []) }]);
    mkdirSync(path.join(request.lakeDir, 'inner'), { recursive: true });
    await expect(harness.engine.ingest(request)).rejects.toThrow(/already exists/u);
    expect(readdirSync(request.lakeDir)).toEqual(['inner']);
    expect(readdirSync(request.tmpDir)).toEqual([]);
  });

  it('reports progress once per file with the rows read so far', async () => {
    const seen: number[] = [];
    const request = directRequest('progress', [
      { name: '1.csv', content: csvWithBadRows(3, []) },
      { name: '2.csv', content: csvWithBadRows(4, []) },
    ]);
    const result = await harness.engine.ingest({ ...request, onProgress: (rows) => seen.push(rows) });
    expect(result).toMatchObject({ status: 'success', inputRecordCount: 7, outputRecordCount: 7 });
    expect(seen).toEqual([3, 7]);
  });

  it('treats a batch without files as a batch without rows: success, with an empty part', async () => {
    const request = directRequest('no-files', []);
    expect(await harness.engine.ingest(request)).toEqual({
      status: 'success',
      inputRecordCount: 0,
      outputRecordCount: 0,
      failedRecordCount: 0,
      inputByteSize: 0,
      files: [],
      errorCounts: {},
      failedRows: [],
      warnings: [],
    });
    expect(readdirSync(request.lakeDir)).toEqual(['part-00000.parquet']);
    expect(await harness.jsonRows(`SELECT count(*)::INTEGER AS n FROM '${request.lakeDir}/part-00000.parquet'`)).toEqual([{ n: 0 }]);
  });
});

describe('batchStatus', () => {
  it.each([
    [0, 0, 10, undefined, 'success'],
    [0, 1, 10, undefined, 'failed'],
    [1, 0, 10, 100, 'failed'],
    [0, 2, 40, 5, 'success'],
    [0, 2, 40, 4, 'failed'],
    [0, 1, 3, 33.34, 'success'],
    [0, 1, 3, 33.33, 'failed'],
    [0, 0, 0, 0, 'success'],
    [0, 5, 5, 100, 'success'],
  ] as const)('unreadable %i, failed %i of %i, threshold %s → %s', (unreadable, failed, input, threshold, expected) => {
    expect(batchStatus(unreadable, failed, input, threshold)).toBe(expected);
  });
});
