import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_SCHEMA, IngestionHarness, failures, field, pick } from '../../../test/support/ingestion-harness.js';
import type { DatasetSchema } from '../lake-schema.js';

const POINTS_SCHEMA: DatasetSchema = {
  class: 'profile',
  fields: [field('crmId', 'string', { required: true }), field('loyalty.points', 'integer')],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
};

const NAMES_SCHEMA: DatasetSchema = {
  class: 'profile',
  fields: [field('crmId', 'string', { required: true }), field('person.name.firstName', 'string')],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
};

const CRM_CSV = [
  'crmId,person.name.firstName,personalEmail.address,loyalty.points,preferences.channels,updatedAt',
  'C1,Jane,Jane.Doe@Example.COM,120,"[""email"",""sms""]",2024-01-05T10:00:00+02:00',
  'C2,"Smith, Bob",,7,[],2024-01-05T10:00:00.1239Z',
  'C3,  Ana  , ana@x.io ,-5,,',
  '',
].join('\n');

describe('DuckDbIngestionEngine — CSV', () => {
  let harness: IngestionHarness;
  beforeAll(async () => {
    harness = await IngestionHarness.open();
  });
  afterAll(() => harness.close());

  it('writes typed columns, normalised identities and system columns for a clean file', async () => {
    const outcome = await harness.ingest({ schema: CRM_SCHEMA, format: 'csv', files: [{ name: 'crm.csv', content: CRM_CSV }] });
    expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 3, outputRecordCount: 3, failedRecordCount: 0, errorCounts: {}, failedRows: [] });
    expect(outcome.result.files).toEqual([{ name: 'crm.csv', records: 3 }]);
    expect(outcome.parts).toEqual(['part-00000.parquet']);
    expect(outcome.rows).toEqual([
      {
        crmId: 'C1',
        'person.name.firstName': 'Jane',
        'person.name.lastName': null,
        'personalEmail.address': 'Jane.Doe@Example.COM',
        'homeAddress.countryCode': null,
        'loyalty.points': '120',
        'loyalty.tier': null,
        'preferences.channels': ['email', 'sms'],
        updatedAt: '2024-01-05 08:00:00',
        '$file': 'crm.csv',
        '$row': '1',
        '$identities': [
          { ns: 'CRMID', id: 'C1' },
          { ns: 'Email', id: 'jane.doe@example.com' },
        ],
        '$primary_ns': 'CRMID',
        '$primary_id': 'C1',
        '$fragment_time': '2024-01-05 08:00:00',
        '$batch_completed_at': '2025-01-01 00:00:00',
      },
      expect.objectContaining({
        crmId: 'C2',
        'person.name.firstName': 'Smith, Bob',
        'personalEmail.address': null,
        'loyalty.points': '7',
        'preferences.channels': [],
        // RFC 3339 fraction floored to the millisecond.
        updatedAt: '2024-01-05 10:00:00.123',
        '$row': '2',
        '$identities': [{ ns: 'CRMID', id: 'C2' }],
        '$fragment_time': '2024-01-05 10:00:00.123',
      }),
      expect.objectContaining({
        crmId: 'C3',
        // Strings are kept as written; only identity values are trimmed (and Email lower-cased).
        'person.name.firstName': '  Ana  ',
        'personalEmail.address': ' ana@x.io ',
        'loyalty.points': '-5',
        'preferences.channels': null,
        updatedAt: null,
        '$row': '3',
        '$identities': [
          { ns: 'CRMID', id: 'C3' },
          { ns: 'Email', id: 'ana@x.io' },
        ],
        // No timestampField value: the batch completion time.
        '$fragment_time': '2025-01-01 00:00:00',
      }),
    ]);
    expect(outcome.columns).toEqual({
      crmId: 'VARCHAR',
      'person.name.firstName': 'VARCHAR',
      'person.name.lastName': 'VARCHAR',
      'personalEmail.address': 'VARCHAR',
      'homeAddress.countryCode': 'VARCHAR',
      'loyalty.points': 'BIGINT',
      'loyalty.tier': 'VARCHAR',
      'preferences.channels': 'VARCHAR[]',
      updatedAt: 'TIMESTAMP',
      '$file': 'VARCHAR',
      '$row': 'BIGINT',
      '$identities': 'STRUCT(ns VARCHAR, id VARCHAR)[]',
      '$primary_ns': 'VARCHAR',
      '$primary_id': 'VARCHAR',
      '$fragment_time': 'TIMESTAMP',
      '$batch_completed_at': 'TIMESTAMP',
    });
    expect(outcome.errorLines).toEqual([]);
    expect(outcome.rejectedLines).toEqual([]);
    expect(outcome.tmpLeftovers).toEqual([]);
  });

  it('reads gzip by its magic bytes whatever the name, and reports the compressed size', async () => {
    const gzipped = gzipSync(Buffer.from(CRM_CSV));
    const outcome = await harness.ingest({ schema: CRM_SCHEMA, format: 'csv', files: [{ name: 'crm.csv', content: gzipped }] });
    expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 3, outputRecordCount: 3, inputByteSize: gzipped.length });
    expect(pick(outcome.rows, 'crmId', '$row')).toEqual([
      { crmId: 'C1', '$row': '1' },
      { crmId: 'C2', '$row': '2' },
      { crmId: 'C3', '$row': '3' },
    ]);
  });

  it('numbers rows right when row 3 is ragged and row 5 has a type error', async () => {
    const csv = 'crmId,loyalty.points\nA1,1\nA2,2\nA3,3,extra\nA4,4\nA5,"12,5"\nA6,6\n';
    const atomic = await harness.ingest({ schema: POINTS_SCHEMA, format: 'csv', files: [{ name: 'p.csv', content: csv }] });
    expect(atomic.result).toMatchObject({ status: 'failed', inputRecordCount: 6, outputRecordCount: 0, failedRecordCount: 2 });
    expect(atomic.result.failedRows).toEqual([
      { file: 'p.csv', row: 3, code: 'MALFORMED_ROW', message: 'expected 2 columns, found 3' },
      { file: 'p.csv', row: 5, field: 'loyalty.points', code: 'TYPE_MISMATCH', message: 'expected an integer' },
    ]);
    expect(atomic.lakeExists).toBe(false);
    expect(atomic.errorLines).toEqual(atomic.result.failedRows);
    expect(atomic.rejectedLines).toEqual([
      { file: 'p.csv', row: 3, record: 'A3,3,extra' },
      { file: 'p.csv', row: 5, record: { crmId: 'A5', 'loyalty.points': '12,5' } },
    ]);

    const partial = await harness.ingest({ schema: POINTS_SCHEMA, format: 'csv', files: [{ name: 'p.csv', content: csv }], errorThreshold: 50 });
    expect(partial.result).toMatchObject({ status: 'success', inputRecordCount: 6, outputRecordCount: 4, failedRecordCount: 2 });
    expect(pick(partial.rows, 'crmId', '$row', 'loyalty.points')).toEqual([
      { crmId: 'A1', '$row': '1', 'loyalty.points': '1' },
      { crmId: 'A2', '$row': '2', 'loyalty.points': '2' },
      { crmId: 'A4', '$row': '4', 'loyalty.points': '4' },
      { crmId: 'A6', '$row': '6', 'loyalty.points': '6' },
    ]);
  });

  it('counts records, not lines: a quoted line break stays in its row, blank lines are not rows', async () => {
    const csv = 'crmId,person.name.firstName\r\nM1,"two\r\nlines"\r\n\r\nM2,Bob\r\nM3,"x"y\r\n\r\nM4,Dee\r\n';
    const outcome = await harness.ingest({ schema: NAMES_SCHEMA, format: 'csv', files: [{ name: 'm.csv', content: csv }], errorThreshold: 100 });
    expect(failures(outcome)).toEqual(['m.csv:3:MALFORMED_ROW']);
    expect(outcome.result.failedRows[0]?.message).toBe('text after a closing quote');
    expect(pick(outcome.rows, 'crmId', '$row', 'person.name.firstName')).toEqual([
      { crmId: 'M1', '$row': '1', 'person.name.firstName': 'two\r\nlines' },
      { crmId: 'M2', '$row': '2', 'person.name.firstName': 'Bob' },
      { crmId: 'M4', '$row': '4', 'person.name.firstName': 'Dee' },
    ]);
  });

  it('skips blank lines without numbering them on the fast path too', async () => {
    const outcome = await harness.ingest({ schema: NAMES_SCHEMA, format: 'csv', files: [{ name: 'b.csv', content: 'crmId,person.name.firstName\nB1,a\n\n\nB2,b\n\n' }] });
    expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 2 });
    expect(pick(outcome.rows, 'crmId', '$row')).toEqual([
      { crmId: 'B1', '$row': '1' },
      { crmId: 'B2', '$row': '2' },
    ]);
    const single: DatasetSchema = { ...NAMES_SCHEMA, fields: [field('crmId', 'string', { required: true })] };
    const oneColumn = await harness.ingest({ schema: single, format: 'csv', files: [{ name: 'one.csv', content: '\ncrmId\nS1\n\nS2\n' }] });
    expect(pick(oneColumn.rows, 'crmId', '$row')).toEqual([
      { crmId: 'S1', '$row': '1' },
      { crmId: 'S2', '$row': '2' },
    ]);
  });

  it('rejects broken quoting row by row, and an unterminated quote swallows the rest of the file', async () => {
    const csv = 'crmId,person.name.firstName\nB1,"Ann"\nB2,"Bo"b\nB3,Ca"rl\nB4,"unterminated\nB5,Eve\n';
    const outcome = await harness.ingest({ schema: NAMES_SCHEMA, format: 'csv', files: [{ name: 'q.csv', content: csv }], errorThreshold: 100 });
    expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 4, outputRecordCount: 1, failedRecordCount: 3 });
    expect(outcome.result.failedRows).toEqual([
      { file: 'q.csv', row: 2, code: 'MALFORMED_ROW', message: 'text after a closing quote' },
      { file: 'q.csv', row: 3, code: 'MALFORMED_ROW', message: 'quote inside an unquoted cell' },
      { file: 'q.csv', row: 4, code: 'MALFORMED_ROW', message: 'unterminated quoted cell' },
    ]);
    expect(outcome.rejectedLines.map((line) => line['record'])).toEqual(['B2,"Bo"b', 'B3,Ca"rl', 'B4,"unterminated\nB5,Eve\n']);
  });

  it('fails the file as UNREADABLE_FILE on bytes that are not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('crmId,person.name.firstName\nC1,ok\nC2,'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
    const outcome = await harness.ingest({ schema: NAMES_SCHEMA, format: 'csv', files: [{ name: 'latin.csv', content: bytes }], errorThreshold: 100 });
    expect(outcome.result).toMatchObject({ status: 'failed', inputRecordCount: 0, failedRecordCount: 0, errorCounts: { UNREADABLE_FILE: 1 } });
    expect(outcome.result.files).toEqual([{ name: 'latin.csv', records: 0 }]);
    expect(outcome.result.failedRows).toEqual([{ file: 'latin.csv', row: 0, code: 'UNREADABLE_FILE', message: 'file is not valid UTF-8' }]);
    expect(outcome.rejectedLines).toEqual([{ file: 'latin.csv', row: 0 }]);
    expect(outcome.lakeExists).toBe(false);
  });

  it('fails a gzip file cut short (the trailer is missing) even when the cut falls between rows', async () => {
    const rows = Array.from({ length: 5000 }, (_, index) => `C${index},name${index}`).join('\n');
    const gzipped = gzipSync(Buffer.from(`crmId,person.name.firstName\n${rows}\n`));
    const outcome = await harness.ingest({ schema: NAMES_SCHEMA, format: 'csv', files: [{ name: 'cut.csv.gz', content: gzipped.subarray(0, gzipped.length - 8) }] });
    expect(outcome.result.failedRows).toEqual([{ file: 'cut.csv.gz', row: 0, code: 'UNREADABLE_FILE', message: 'gzip data is truncated or corrupt' }]);
    expect(outcome.result.status).toBe('failed');
  });

  it('reports each value error with its code, field and row', async () => {
    const schema: DatasetSchema = {
      class: 'profile',
      fields: [
        field('crmId', 'string', { required: true }),
        field('count', 'integer'),
        field('score', 'number'),
        field('active', 'boolean'),
        field('birthDate', 'date'),
        field('seenAt', 'date-time'),
        field('tags', 'array', { items: 'integer' }),
        field('tier', 'string', { required: true }),
      ],
      identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
    };
    const csv = [
      'crmId,count,score,active,birthDate,seenAt,tags,tier',
      'R1,12,1.5,TRUE,2024-02-29,2024-01-05T10:00:00Z,"[1,2]",gold',
      'R2,"12,5",,,,,,gold',
      'R3,9223372036854775808,,,,,,gold',
      'R4,,1e400,,,,,gold',
      'R5,,NaN,,,,,gold',
      'R6,,,yes,,,,gold',
      'R7,,,,2024-13-01,,,gold',
      'R8,,,,,2024-01-05 25:00:00,,gold',
      'R9,,,,,,email,gold',
      'R10,,,,,,"[1.5]",gold',
      'R11,,,,,,,',
      ',,,,,,,gold',
      'R13,  42  ,  -0.5e2 , False ,,,"[""7""]",silver',
      '',
    ].join('\n');
    const outcome = await harness.ingest({ schema, format: 'csv', files: [{ name: 'v.csv', content: csv }], errorThreshold: 100 });
    expect(outcome.result.failedRows).toEqual([
      { file: 'v.csv', row: 2, field: 'count', code: 'TYPE_MISMATCH', message: 'expected an integer' },
      { file: 'v.csv', row: 3, field: 'count', code: 'VALUE_OUT_OF_RANGE', message: 'integer outside the 64-bit range' },
      { file: 'v.csv', row: 4, field: 'score', code: 'VALUE_OUT_OF_RANGE', message: 'number is not finite' },
      { file: 'v.csv', row: 5, field: 'score', code: 'VALUE_OUT_OF_RANGE', message: 'number is not finite' },
      { file: 'v.csv', row: 6, field: 'active', code: 'TYPE_MISMATCH', message: 'expected true or false' },
      { file: 'v.csv', row: 7, field: 'birthDate', code: 'TYPE_MISMATCH', message: 'expected a date (YYYY-MM-DD)' },
      { file: 'v.csv', row: 8, field: 'seenAt', code: 'TYPE_MISMATCH', message: 'expected an RFC 3339 date-time' },
      { file: 'v.csv', row: 9, field: 'tags', code: 'TYPE_MISMATCH', message: 'expected a JSON array of integer values' },
      { file: 'v.csv', row: 10, field: 'tags', code: 'TYPE_MISMATCH', message: 'expected a JSON array of integer values' },
      { file: 'v.csv', row: 11, field: 'tier', code: 'REQUIRED_FIELD_MISSING', message: 'required field is empty or absent' },
      { file: 'v.csv', row: 12, field: 'crmId', code: 'MISSING_PRIMARY_IDENTITY', message: 'primary identity CRMID is empty' },
    ]);
    expect(outcome.result.errorCounts).toEqual({ TYPE_MISMATCH: 6, VALUE_OUT_OF_RANGE: 3, REQUIRED_FIELD_MISSING: 1, MISSING_PRIMARY_IDENTITY: 1 });
    expect(outcome.rows).toEqual([
      expect.objectContaining({ crmId: 'R1', count: '12', score: 1.5, active: true, birthDate: '2024-02-29', seenAt: '2024-01-05 10:00:00', tags: ['1', '2'], '$row': '1' }),
      // Surrounding whitespace is tolerated for non-string types; booleans are case-insensitive.
      expect.objectContaining({ crmId: 'R13', count: '42', score: -50, active: false, tags: ['7'], tier: 'silver', '$row': '13' }),
    ]);
  });

  it('keeps values that look numeric in string fields as strings', async () => {
    const schema: DatasetSchema = {
      class: 'profile',
      fields: [field('crmId', 'string', { required: true }), field('zip', 'string'), field('tier', 'string')],
      identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
    };
    const outcome = await harness.ingest({ schema, format: 'csv', files: [{ name: 's.csv', content: 'crmId,zip,tier\n007,01234,1e3\n' }] });
    expect(pick(outcome.rows, 'crmId', 'zip', 'tier', '$primary_id')).toEqual([{ crmId: '007', zip: '01234', tier: '1e3', '$primary_id': '007' }]);
  });

  it('reports every problem of a header in one file-level error: all undeclared columns, all missing required columns', async () => {
    const schema: DatasetSchema = {
      class: 'profile',
      fields: [field('crmId', 'string', { required: true }), field('email', 'string', { required: true }), field('points', 'integer'), field('tier', 'string', { required: true })],
      identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
    };
    const files = [
      { name: 'good.csv', content: 'crmId,email,tier\nG1,g@x.y,gold\n' },
      { name: 'u.csv', content: 'nickname,points,tier,age,extra\nBo,1,gold,3,x\nAl,2,silver,4,y\n' },
      { name: 'header-only.csv', content: 'crmId,tier,colour\n' },
    ];
    const outcome = await harness.ingest({ schema, format: 'csv', files, errorThreshold: 100 });
    expect(outcome.result.failedRows).toEqual([
      { file: 'u.csv', row: 0, code: 'UNKNOWN_FIELD', message: 'header has columns not declared in the schema (nickname, age, extra) and lacks required columns (crmId, email)' },
      { file: 'header-only.csv', row: 0, code: 'UNKNOWN_FIELD', message: 'header has columns not declared in the schema (colour) and lacks required columns (email)' },
    ]);
    expect(outcome.result).toMatchObject({ status: 'failed', inputRecordCount: 1, outputRecordCount: 0, failedRecordCount: 0, errorCounts: { UNKNOWN_FIELD: 2 } });
    expect(outcome.errorLines).toHaveLength(2);
    expect(outcome.result.warnings).toEqual([]);
  });

  it('reports missing required columns alone as REQUIRED_FIELD_MISSING, the event timestamp included', async () => {
    const events: DatasetSchema = { class: 'experienceEvent', fields: [field('appUserId', 'string', { required: true }), field('page', 'string')], identities: [{ path: 'appUserId', namespace: 'appId', primary: true }] };
    const outcome = await harness.ingest({ schema: events, format: 'csv', files: [{ name: 'e.csv', content: 'page,_id\nhome,e1\n' }] });
    expect(failures(outcome)).toEqual(['e.csv:0:REQUIRED_FIELD_MISSING']);
    expect(outcome.result.failedRows[0]?.message).toBe('header lacks required columns (timestamp, appUserId)');
  });

  it('treats an empty file and a header-only file as files without rows', async () => {
    const outcome = await harness.ingest({
      schema: NAMES_SCHEMA,
      format: 'csv',
      files: [
        { name: 'empty.csv', content: '' },
        { name: 'header.csv', content: '\uFEFFcrmId,person.name.firstName\r\n' },
      ],
    });
    expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 0, outputRecordCount: 0, failedRows: [] });
    expect(outcome.result.files).toEqual([
      { name: 'empty.csv', records: 0 },
      { name: 'header.csv', records: 0 },
    ]);
    // A successful batch always has a part, here with no rows but the full column set.
    expect(outcome.parts).toEqual(['part-00000.parquet']);
    expect(outcome.rows).toEqual([]);
    expect(Object.keys(outcome.columns)).toContain('$identities');
  });

  it('refuses a header that names a column twice', async () => {
    const outcome = await harness.ingest({ schema: NAMES_SCHEMA, format: 'csv', files: [{ name: 'd.csv', content: 'crmId,crmId\nA,B\n' }] });
    expect(failures(outcome)).toEqual(['d.csv:0:UNREADABLE_FILE']);
  });

  it('keeps exact row numbers deep in a large file that needs the row-by-row path', async () => {
    // 30,000 rows of ~60 bytes cross many 1 MiB read chunks; every 1000th row has a quoted line break.
    const lines = Array.from({ length: 30_000 }, (_, index) => {
      const row = index + 1;
      if (row === 25_001) return `L${row},"broken"quote`;
      return row % 1000 === 0 ? `L${row},"name ${row}\nsecond line, with comma"` : `L${row},name ${row} ${'x'.repeat(40)}`;
    });
    const outcome = await harness.ingest({
      schema: NAMES_SCHEMA,
      format: 'csv',
      files: [{ name: 'large.csv', content: `crmId,person.name.firstName\n${lines.join('\n')}\n` }],
      errorThreshold: 1,
    });
    expect(failures(outcome)).toEqual(['large.csv:25001:MALFORMED_ROW']);
    expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 30_000, outputRecordCount: 29_999 });
    const mismatched = outcome.rows.filter((row) => row['crmId'] !== `L${String(row['$row'])}`);
    expect(mismatched).toEqual([]);
    expect(outcome.rows.find((row) => row['$row'] === '25000')?.['person.name.firstName']).toBe('name 25000\nsecond line, with comma');
  });

  it('reads a row longer than 1 MiB (the former fixed reader limit), on both paths', async () => {
    const long = 'y'.repeat(1_100_000);
    const csv = `crmId,person.name.firstName\nA1,ok\nA2,${long}\nA3,ok\n`;
    const fast = await harness.ingest({ schema: NAMES_SCHEMA, format: 'csv', files: [{ name: 'long.csv', content: csv }] });
    expect(fast.result).toMatchObject({ status: 'success', inputRecordCount: 3, outputRecordCount: 3 });
    expect(fast.rows.map((row) => String(row['person.name.firstName']).length)).toEqual([2, long.length, 2]);
    const exact = await harness.ingest({ schema: NAMES_SCHEMA, format: 'csv', files: [{ name: 'long.csv', content: `${csv}A4,x,y\n` }], errorThreshold: 50 });
    expect(failures(exact)).toEqual(['long.csv:4:MALFORMED_ROW']);
    expect(exact.rows.map((row) => String(row['person.name.firstName']).length)).toEqual([2, long.length, 2]);
  });

  it('keeps NUL characters inside cells, on both paths', async () => {
    const clean = 'crmId,person.name.firstName\nN1,a\u0000b\n';
    const fast = await harness.ingest({ schema: NAMES_SCHEMA, format: 'csv', files: [{ name: 'nul.csv', content: clean }] });
    expect(pick(fast.rows, 'person.name.firstName')).toEqual([{ 'person.name.firstName': 'a\u0000b' }]);
    const exact = await harness.ingest({ schema: NAMES_SCHEMA, format: 'csv', files: [{ name: 'nul.csv', content: `${clean}N2,x,y\n` }], errorThreshold: 50 });
    expect(failures(exact)).toEqual(['nul.csv:2:MALFORMED_ROW']);
    expect(pick(exact.rows, 'person.name.firstName')).toEqual([{ 'person.name.firstName': 'a\u0000b' }]);
  });
});
