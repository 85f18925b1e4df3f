import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionHarness, failures, field, pick, type IngestOutcome } from '../../../test/support/ingestion-harness.js';
import type { DatasetSchema } from '../lake-schema.js';

const SCHEMA: DatasetSchema = {
  class: 'profile',
  fields: [
    field('crmId', 'string', { required: true }),
    field('person.name.firstName', 'string'),
    field('loyalty.points', 'integer'),
    field('preferences.channels', 'array', { items: 'string' }),
  ],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
};

const RECORDS = [
  { crmId: 'J1', person: { name: { firstName: 'Jane' } }, 'loyalty.points': 5 },
  { crmId: 'J2', 'person.name': { firstName: 'Bob' }, loyalty: { points: '6' } },
  { crmId: 'J3', person: { 'name.firstName': 'Cy' }, preferences: { channels: ['email', 'sms'] }, loyalty: { points: null } },
];

const EXPECTED_ROWS = [
  { crmId: 'J1', 'person.name.firstName': 'Jane', 'loyalty.points': '5', 'preferences.channels': null, '$row': '1' },
  { crmId: 'J2', 'person.name.firstName': 'Bob', 'loyalty.points': '6', 'preferences.channels': null, '$row': '2' },
  { crmId: 'J3', 'person.name.firstName': 'Cy', 'loyalty.points': null, 'preferences.channels': ['email', 'sms'], '$row': '3' },
];

const columns = ['crmId', 'person.name.firstName', 'loyalty.points', 'preferences.channels', '$row'];

describe('DuckDbIngestionEngine — JSON', () => {
  let harness: IngestionHarness;
  beforeAll(async () => {
    harness = await IngestionHarness.open();
  });
  afterAll(() => harness.close());

  it('reads a JSON array where nested objects and dotted keys both map to paths', async () => {
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'a.json', content: `\n  ${JSON.stringify(RECORDS, null, 2)}` }] });
    expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 3, outputRecordCount: 3 });
    expect(pick(outcome.rows, ...columns)).toEqual(EXPECTED_ROWS);
  });

  it('reads NDJSON (first byte not `[`), gzip or not, numbering non-blank lines', async () => {
    const ndjson = `\uFEFF${RECORDS.map((record) => JSON.stringify(record)).join('\r\n\r\n')}\r\n`;
    for (const content of [ndjson, gzipSync(Buffer.from(ndjson))]) {
      const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'l.ndjson', content }] });
      expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 3 });
      expect(pick(outcome.rows, ...columns)).toEqual(EXPECTED_ROWS);
    }
  });

  it('rejects unparsable lines and non-object values as MALFORMED_ROW with their row numbers', async () => {
    const ndjson = ['{"crmId": "N1"}', '', '{"crmId": "N2"', '[1, 2]', '   ', '{"crmId": "N3"}', ''].join('\n');
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'n.ndjson', content: ndjson }], errorThreshold: 100 });
    expect(outcome.result.failedRows).toEqual([
      { file: 'n.ndjson', row: 2, code: 'MALFORMED_ROW', message: 'line is not valid JSON' },
      { file: 'n.ndjson', row: 3, code: 'MALFORMED_ROW', message: 'line is not a JSON object' },
    ]);
    expect(outcome.rejectedLines).toEqual([
      { file: 'n.ndjson', row: 2, record: '{"crmId": "N2"' },
      { file: 'n.ndjson', row: 3, record: [1, 2] },
    ]);
    expect(pick(outcome.rows, 'crmId', '$row')).toEqual([
      { crmId: 'N1', '$row': '1' },
      { crmId: 'N3', '$row': '4' },
    ]);
  });

  it('falls back to the exact line reader for a NUL byte and keeps the row numbers', async () => {
    const ndjson = '{"crmId": "Z1"}\n{"crmId": "Z\u0000"}\n\n{"crmId": "Z3"}\n';
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'z.ndjson', content: ndjson }], errorThreshold: 100 });
    expect(failures(outcome)).toEqual(['z.ndjson:2:MALFORMED_ROW']);
    expect(pick(outcome.rows, 'crmId', '$row')).toEqual([
      { crmId: 'Z1', '$row': '1' },
      { crmId: 'Z3', '$row': '3' },
    ]);
  });

  it('rejects array elements that are not objects at their positions', async () => {
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'e.json', content: '[{"crmId": "E1"}, 3, null, {"crmId": "E4"}]' }], errorThreshold: 100 });
    expect(outcome.result.failedRows).toEqual([
      { file: 'e.json', row: 2, code: 'MALFORMED_ROW', message: 'element is not a JSON object' },
      { file: 'e.json', row: 3, code: 'MALFORMED_ROW', message: 'array element is null' },
    ]);
    expect(pick(outcome.rows, 'crmId', '$row')).toEqual([
      { crmId: 'E1', '$row': '1' },
      { crmId: 'E4', '$row': '4' },
    ]);
  });

  it('fails a JSON array that does not parse as UNREADABLE_FILE', async () => {
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'broken.json', content: '[{"crmId": "B1"}, {"crmId": ' }], errorThreshold: 100 });
    expect(failures(outcome)).toEqual(['broken.json:0:UNREADABLE_FILE']);
    expect(outcome.result.status).toBe('failed');
  });

  it('reports undeclared keys at any depth, except identityMap; null is absence', async () => {
    const ndjson = [
      { crmId: 'K1', nickname: 'x' },
      { crmId: 'K2', person: { name: { middle: 'x' } } },
      { crmId: 'K3', person: 'flat' },
      { crmId: 'K4', person: null, loyalty: { points: null }, identityMap: { Email: [{ id: 'k4@x.io' }] } },
      { crmId: 'K5', 'person.name.nick': 'x' },
      { crmId: 'K6', nickname: null },
    ]
      .map((record) => JSON.stringify(record))
      .join('\n');
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'k.ndjson', content: ndjson }], errorThreshold: 100 });
    expect(failures(outcome)).toEqual([
      'k.ndjson:1:UNKNOWN_FIELD:nickname',
      'k.ndjson:2:UNKNOWN_FIELD:person.name.middle',
      'k.ndjson:3:UNKNOWN_FIELD:person',
      'k.ndjson:5:UNKNOWN_FIELD:person.name.nick',
      // Any key the schema does not declare, even with a null value (SPEC §3.4).
      'k.ndjson:6:UNKNOWN_FIELD:nickname',
    ]);
    expect(pick(outcome.rows, 'crmId', '$identities')).toEqual([
      {
        crmId: 'K4',
        '$identities': [
          { ns: 'CRMID', id: 'K4' },
          { ns: 'Email', id: 'k4@x.io' },
        ],
      },
    ]);
  });

  it('unquotes escaped strings exactly and accepts repeated or empty objects without undeclared keys', async () => {
    const ndjson = [
      '{"crmId": "E\\u00e9\\"q\\\\b\\/s\\ud83d\\ude00", "person": {"name": {"firstName": "\\tAnn é中"}}}',
      '{"crmId": "E2", "crmId": "E2", "person": {}}',
      '{"crmId": "E3", "person": {"name": {}}, "loyalty": {"points": 1, "points": 1}}',
    ].join('\n');
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'e.ndjson', content: ndjson }] });
    expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 3, outputRecordCount: 3 });
    expect(pick(outcome.rows, 'crmId', 'person.name.firstName')).toEqual([
      { crmId: 'E\u00e9"q\\b/s\u{1F600}', 'person.name.firstName': '\tAnn é中' },
      { crmId: 'E2', 'person.name.firstName': null },
      { crmId: 'E3', 'person.name.firstName': null },
    ]);
  });

  it('decides each record alone (the one-pass read of clean files) as it does among rejected rows (the checked passes)', async () => {
    const records = [
      '{"crmId": "K1", "nickname": "x"}',
      '{"crmId": "K2", "person": {"name": {"middle": "x"}}}',
      '{"crmId": "K3", "person": "flat"}',
      '{"crmId": "K4", "person": null, "loyalty": {"points": null}, "identityMap": {"Email": [{"id": "k4@x.io"}]}}',
      '{"crmId": "K5", "person.name.nick": "x"}',
      '{"crmId": "K6", "nickname": null}',
      '{"crmId": "K7", "person.name.firstName": "Dotted"}',
      '{"crmId": "K8", "crmId": "K8b", "person": {"name": {"firstName": "A", "firstName": "B"}}}',
      '{"crmId": "K9", "person": {"name": []}}',
      '{"crmId": "K10", "person": {"name": "x"}}',
      '{"crmId": "K11", "loyalty": {"points": "7"}, "preferences": {"channels": ["a", "b"]}}',
      '{"crmId": "K12", "loyalty": []}',
      '{"crmId": "K13", "identityMap": {"Email": "x"}}',
      '{"crmId": {"id": "K14"}}',
      '{"crmId": "K15", "person": {"name": {"firstName": "\\u00e9\\"q"}}}',
      '{"crmId": "K16", "person": {"name": {"firstName": "{not an object}"}}, "preferences": {"channels": "[\\"sms\\"]"}}',
      '{"crmId": "K17", "loyalty": {"points": {"x": 1}}}',
      '{"crmId": "K18", "person": {"name": {"firstName": 12.50}}}',
      '{}',
    ];
    const outcomeOf = (outcome: IngestOutcome, row: number) => ({
      errors: outcome.result.failedRows.filter((failure) => failure.row === row || failure.row === 0).map((failure) => `${failure.code}:${failure.field ?? ''}`),
      rows: outcome.rows.filter((lakeRow) => lakeRow['$row'] === String(row)).map((lakeRow) => pick([lakeRow], 'crmId', 'person.name.firstName', 'loyalty.points', 'preferences.channels', '$identities')[0]),
    });
    const ingestJson = (content: string) => harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'r.json', content }], errorThreshold: 100 });
    // NDJSON lines, and the same records as a JSON array.
    for (const [layout, join] of [['ndjson', (lines: readonly string[]) => lines.join('\n')], ['array', (lines: readonly string[]) => `[${lines.join(',')}]`]] as const) {
      const together = await ingestJson(join(records));
      for (const [index, record] of records.entries()) {
        const alone = await ingestJson(join([record]));
        expect({ layout, record, ...outcomeOf(alone, 1) }).toEqual({ layout, record, ...outcomeOf(together, index + 1) });
      }
    }
    const together = await ingestJson(records.join('\n'));
    // The checked passes' decisions, for the record (hand-written from SPEC §3.4).
    expect(together.result.failedRows.map((failure) => `${failure.row}:${failure.code}:${failure.field ?? ''}`)).toEqual([
      '1:UNKNOWN_FIELD:nickname',
      '2:UNKNOWN_FIELD:person.name.middle',
      '3:UNKNOWN_FIELD:person',
      '5:UNKNOWN_FIELD:person.name.nick',
      '6:UNKNOWN_FIELD:nickname',
      '9:UNKNOWN_FIELD:person.name',
      '10:UNKNOWN_FIELD:person.name',
      '12:UNKNOWN_FIELD:loyalty',
      '13:INVALID_IDENTITY:identityMap',
      '14:TYPE_MISMATCH:crmId',
      '17:TYPE_MISMATCH:loyalty.points',
      '19:MISSING_PRIMARY_IDENTITY:crmId',
    ]);
    expect(pick(together.rows, 'crmId', 'person.name.firstName')).toEqual([
      { crmId: 'K4', 'person.name.firstName': null },
      { crmId: 'K7', 'person.name.firstName': 'Dotted' },
      { crmId: 'K8', 'person.name.firstName': 'A' },
      { crmId: 'K11', 'person.name.firstName': null },
      { crmId: 'K15', 'person.name.firstName': 'é"q' },
      { crmId: 'K16', 'person.name.firstName': '{not an object}' },
      // JSON scalars as their (re-serialised) text.
      { crmId: 'K18', 'person.name.firstName': '12.5' },
    ]);
  });

  it('converts JSON scalars through their text and rejects objects where a scalar is declared', async () => {
    const ndjson = [
      { crmId: 42, loyalty: { points: '7' } },
      { crmId: 'T2', person: { name: { firstName: { x: 1 } } } },
      { crmId: 'T3', loyalty: { points: 12.5 } },
      // Written by hand: JSON.stringify would print the big integer as 1.2345678901234568e+23.
      '{"crmId": "T4", "loyalty": {"points": 123456789012345678901234}}',
      { crmId: 'T5', preferences: { channels: 'email' } },
      { crmId: 'T6', preferences: { channels: ['email', null] } },
    ]
      .map((record) => (typeof record === 'string' ? record : JSON.stringify(record)))
      .join('\n');
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 't.ndjson', content: ndjson }], errorThreshold: 100 });
    expect(failures(outcome)).toEqual([
      't.ndjson:2:TYPE_MISMATCH:person.name.firstName',
      't.ndjson:3:TYPE_MISMATCH:loyalty.points',
      't.ndjson:4:VALUE_OUT_OF_RANGE:loyalty.points',
      't.ndjson:5:TYPE_MISMATCH:preferences.channels',
      't.ndjson:6:TYPE_MISMATCH:preferences.channels',
    ]);
    expect(pick(outcome.rows, 'crmId', 'loyalty.points')).toEqual([{ crmId: '42', 'loyalty.points': '7' }]);
    expect(outcome.rejectedLines[0]).toEqual({ file: 't.ndjson', row: 2, record: { crmId: 'T2', person: { name: { firstName: { x: 1 } } } } });
  });

  it('treats empty and whitespace-only files and [] as files without rows', async () => {
    const outcome = await harness.ingest({
      schema: SCHEMA,
      format: 'json',
      files: [
        { name: 'empty.json', content: '' },
        { name: 'blank.json', content: ' \n\t\n' },
        { name: 'none.json', content: '[]' },
      ],
    });
    expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 0, failedRows: [] });
    expect(outcome.result.files.map((file) => file.records)).toEqual([0, 0, 0]);
  });

  it('keeps the error files valid JSON when a rejected record holds NaN (DuckDB reads it, JSON has no NaN)', async () => {
    const ndjson = '{"crmId": "X1", "loyalty": {"points": NaN}}\n';
    const outcome = await harness.ingest({ schema: SCHEMA, format: 'json', files: [{ name: 'nan.ndjson', content: ndjson }], errorThreshold: 100 });
    expect(failures(outcome)).toEqual(['nan.ndjson:1:TYPE_MISMATCH:loyalty.points']);
    // The record falls back to the line's text, as a JSON string.
    expect(outcome.rejectedLines).toEqual([{ file: 'nan.ndjson', row: 1, record: '{"crmId": "X1", "loyalty": {"points": NaN}}' }]);
  });
});
