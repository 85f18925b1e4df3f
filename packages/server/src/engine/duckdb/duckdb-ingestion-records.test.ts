// One record-size limit for every format: records up to ACTIVATOR_MAX_RECORD_BYTES are read, larger ones are RECORD_TOO_LARGE rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionHarness, failures, field, pick } from '../../../test/support/ingestion-harness.js';
import type { DatasetSchema } from '../lake-schema.js';

const SCHEMA: DatasetSchema = {
  class: 'profile',
  fields: [field('crmId', 'string', { required: true }), field('note', 'string')],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
};
const MIB = 1 << 20;

/** A CSV record, an NDJSON line and a JSON array element of exactly `bytes` bytes (ASCII), with id `id`. */
const csvRecord = (id: string, bytes: number) => `${id},${'x'.repeat(csvNoteLength(id, bytes))}`;
const csvNoteLength = (id: string, bytes: number) => bytes - id.length - 1;
const jsonRecord = (id: string, bytes: number) => `{"crmId":"${id}","note":"${'y'.repeat(jsonNoteLength(id, bytes))}"}`;
const jsonNoteLength = (id: string, bytes: number) => bytes - `{"crmId":"${id}","note":""}`.length;

describe('DuckDbIngestionEngine — record size limit at its boundary (1 KiB)', () => {
  let harness: IngestionHarness;
  beforeAll(async () => {
    harness = await IngestionHarness.open({ maxRecordBytes: 1024 });
  });
  afterAll(() => harness.close());

  it.each([
    ['csv', (records: string[]) => `crmId,note\n${records.join('\n')}\n`, csvRecord],
    ['csv with CRLF', (records: string[]) => `crmId,note\r\n${records.join('\r\n')}\r\n`, csvRecord],
    ['ndjson', (records: string[]) => `${records.join('\n')}\n`, jsonRecord],
    ['json array', (records: string[]) => `[${records.join(',\n')}]`, jsonRecord],
  ] as const)('%s: a record of exactly the limit is read, one byte more is RECORD_TOO_LARGE with its row number', async (label, file, record) => {
    const format = label.startsWith('csv') ? 'csv' : 'json';
    const content = file([record('R-1', 40), record('R-2', 1024), record('R-3', 1025), record('R-4', 50), record('R-5', 5000)]);
    const outcome = await harness.ingest({ schema: SCHEMA, format, files: [{ name: 'f', content }], errorThreshold: 50 });
    expect(failures(outcome)).toEqual(['f:3:RECORD_TOO_LARGE', 'f:5:RECORD_TOO_LARGE']);
    expect(outcome.result.failedRows[0]?.message).toBe('record is larger than 1024 bytes');
    expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 5, outputRecordCount: 3, failedRecordCount: 2, errorCounts: { RECORD_TOO_LARGE: 2 } });
    expect(pick(outcome.rows, 'crmId', '$row')).toEqual([{ crmId: 'R-1', '$row': '1' }, { crmId: 'R-2', '$row': '2' }, { crmId: 'R-4', '$row': '4' }]);
    const noteLength = format === 'csv' ? csvNoteLength : jsonNoteLength;
    expect(outcome.rows.map((row) => String(row['note']).length)).toEqual([noteLength('R-1', 40), noteLength('R-2', 1024), noteLength('R-4', 50)]);
    expect(outcome.rejectedLines.map((line) => line['row'])).toEqual([3, 5]);
  });

  it('splits a large array exactly: brackets, commas and escaped quotes inside strings, nesting, whitespace around elements', async () => {
    const tricky = [
      '{"crmId":"A-1","note":"],[{\\"}, \\\\"}',
      ' \n{"crmId":"A-2","note":"x","identityMap":{"Email":[{"id":"a@b.c"}]}}\t',
      jsonRecord('A-3', 2000),
      '{"crmId":"A-4"}',
    ];
    const content = `\uFEFF [${tricky.join(',')}${' '.repeat(1100)}] \n`;
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'a.json', content }], errorThreshold: 50 });
    expect(failures(outcome)).toEqual(['a.json:3:RECORD_TOO_LARGE']);
    expect(pick(outcome.rows, 'crmId', 'note')).toEqual([
      { crmId: 'A-1', note: '],[{"}, \\' },
      { crmId: 'A-2', note: 'x' },
      { crmId: 'A-4', note: null },
    ]);
  });

  it.each([
    ['a trailing comma', '[{"crmId":"B-1"},]'],
    ['an unclosed array', '[{"crmId":"B-1"}'],
    ['text after the array', '[{"crmId":"B-1"}] x'],
    ['an element that is not JSON', '[{"crmId":"B-1"},{crmId:2}]'],
  ])('still finds a large array with %s unreadable', async (_label, array) => {
    const content = `${array.slice(0, -1)}${' '.repeat(2000)}${array.slice(-1)}`;
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'b.json', content }], errorThreshold: 100 });
    expect(failures(outcome)).toEqual(['b.json:0:UNREADABLE_FILE']);
  });

  it('fails an atomic batch on a record over the limit, reporting it', async () => {
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'big.ndjson', content: `${jsonRecord('A', 2000)}\n` }] });
    expect(outcome.result).toMatchObject({ status: 'failed', failedRecordCount: 1, errorCounts: { RECORD_TOO_LARGE: 1 } });
    expect(outcome.lakeExists).toBe(false);
  });
});

describe('DuckDbIngestionEngine — large records under the default 16 MiB limit', () => {
  let harness: IngestionHarness;
  beforeAll(async () => {
    harness = await IngestionHarness.open();
  });
  afterAll(() => harness.close());

  it.each([
    ['csv', (records: string[]) => `crmId,note\n${records.join('\n')}\n`, csvRecord],
    ['ndjson', (records: string[]) => `${records.join('\n')}\n`, jsonRecord],
    ['json array', (records: string[]) => `[${records.join(',')}]`, jsonRecord],
  ] as const)('%s: reads a 4 MiB record, rejects 20 MiB and 40 MiB records as RECORD_TOO_LARGE, keeps the rows around them', async (label, file, record) => {
    const format = label === 'csv' ? 'csv' : 'json';
    const content = file([record('S-1', 40), record('S-2', 4 * MIB), record('S-3', 20 * MIB), record('S-4', 40), record('S-5', 40 * MIB + 123), record('S-6', 40)]);
    const outcome = await harness.ingest({ schema: SCHEMA, format, files: [{ name: 'big', content }], errorThreshold: 50 });
    expect(failures(outcome)).toEqual(['big:3:RECORD_TOO_LARGE', 'big:5:RECORD_TOO_LARGE']);
    expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 6, outputRecordCount: 4 });
    expect(pick(outcome.rows, 'crmId', '$row')).toEqual(['S-1', 'S-2', 'S-4', 'S-6'].map((crmId) => ({ crmId, '$row': crmId.slice(2) })));
    expect(String(outcome.rows[1]?.['note']).length).toBe((format === 'csv' ? csvNoteLength : jsonNoteLength)('S-2', 4 * MIB));
    expect(outcome.tmpLeftovers).toEqual([]);
  }, 120_000);
});
