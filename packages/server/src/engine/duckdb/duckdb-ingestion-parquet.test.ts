import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_SCHEMA, IngestionHarness, failures, field, pick } from '../../../test/support/ingestion-harness.js';
import type { DatasetSchema } from '../lake-schema.js';

const CRM_PARQUET = `
  SELECT 'P1' AS crmId, {'name': {'firstName': 'Jane'}} AS person, 5::INTEGER AS "loyalty.points", ['email', 'sms'] AS "preferences.channels",
         TIMESTAMP '2024-01-05 10:00:00.123456' AS updatedAt, 'PA@x.io' AS "personalEmail.address"
  UNION ALL
  SELECT 'P2', {'name': {'firstName': NULL}}, NULL, NULL, NULL, NULL`;

const POINTS: DatasetSchema = {
  class: 'profile',
  fields: [field('crmId', 'string', { required: true }), field('points', 'integer'), field('score', 'number')],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
};

describe('DuckDbIngestionEngine — Parquet', () => {
  let harness: IngestionHarness;
  beforeAll(async () => {
    harness = await IngestionHarness.open();
  });
  afterAll(() => harness.close());

  it('maps column names and nested structs to paths, plain or gzip', async () => {
    const fixture = await harness.parquetFixture('crm.parquet', CRM_PARQUET);
    const bytes = readFileSync(fixture);
    for (const content of [bytes, gzipSync(bytes)]) {
      const outcome = await harness.ingest({ schema: CRM_SCHEMA, format: 'parquet', files: [{ name: 'crm.parquet', content }] });
      expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 2, outputRecordCount: 2, inputByteSize: content.length });
      expect(pick(outcome.rows, 'crmId', 'person.name.firstName', 'loyalty.points', 'preferences.channels', 'updatedAt', '$row', '$identities')).toEqual([
        {
          crmId: 'P1',
          'person.name.firstName': 'Jane',
          'loyalty.points': '5',
          'preferences.channels': ['email', 'sms'],
          updatedAt: '2024-01-05 10:00:00.123',
          '$row': '1',
          '$identities': [
            { ns: 'CRMID', id: 'P1' },
            { ns: 'Email', id: 'pa@x.io' },
          ],
        },
        {
          crmId: 'P2',
          'person.name.firstName': null,
          'loyalty.points': null,
          'preferences.channels': null,
          updatedAt: null,
          '$row': '2',
          '$identities': [{ ns: 'CRMID', id: 'P2' }],
        },
      ]);
    }
  });

  it('converts values through their text: compatible types pass, the rest are row errors', async () => {
    const fixture = await harness.parquetFixture(
      'typed.parquet',
      `SELECT * FROM (VALUES (12, '1', 1.5::DOUBLE), (13, 'x', 2.0), (14, '3', 'inf'::DOUBLE), (15, '99999999999999999999', 0.0)) t(crmId, points, score)`,
    );
    const outcome = await harness.ingest({ schema: POINTS, format: 'parquet', files: [{ name: 't.parquet', path: fixture }], errorThreshold: 100 });
    expect(failures(outcome)).toEqual(['t.parquet:2:TYPE_MISMATCH:points', 't.parquet:3:VALUE_OUT_OF_RANGE:score', 't.parquet:4:VALUE_OUT_OF_RANGE:points']);
    expect(pick(outcome.rows, 'crmId', 'points', 'score', '$row')).toEqual([{ crmId: '12', points: '1', score: 1.5, '$row': '1' }]);
    expect(outcome.rejectedLines[0]).toEqual({ file: 't.parquet', row: 2, record: { crmId: 13, points: 'x', score: 2 } });
  });

  it('reads columns already of the lake type as they are, with the outcome of converting their text', async () => {
    // Each typed column next to its text (what the text conversions see): both files must ingest to the same lake and errors.
    const schema: DatasetSchema = {
      class: 'profile',
      fields: [
        field('crmId', 'string', { required: true }),
        ...['i64', 'i32', 'u8', 'huge'].map((name) => field(name, 'integer')),
        ...['dbl', 'intAsNumber', 'flt', 'dec'].map((name) => field(name, 'number')),
        field('flag', 'boolean'),
        field('day', 'date'),
        ...['ts', 'tstz', 'tsms', 'tsns'].map((name) => field(name, 'date-time')),
        field('tags', 'array', { items: 'string' }),
        field('counts', 'array', { items: 'integer' }),
      ],
      identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
    };
    const names = ['crmId', 'i64', 'i32', 'u8', 'huge', 'dbl', 'intAsNumber', 'flt', 'dec', 'flag', 'day', 'ts', 'tstz', 'tsms', 'tsns', 'tags', 'counts'];
    // Row A holds a value in every column; the other rows one value each (the rest NULL), so each shows its own error.
    const rowA = [
      "'A'", '9223372036854775807', '-5::INTEGER', '255::UTINYINT', '12::UBIGINT', '0.1::DOUBLE', '9007199254740993::BIGINT', '0.1::FLOAT', '1.25::DECIMAL(5, 2)', 'true',
      "DATE '2024-02-29'", "TIMESTAMP '2024-01-05 10:00:00.123456'", "TIMESTAMPTZ '2024-01-05 10:00:00.999999+02'", "'2024-01-05 10:00:00.5'::TIMESTAMP_MS",
      "'2024-01-05 10:00:00.123456789'::TIMESTAMP_NS", "['a', 'b']", '[1, 2]::BIGINT[]',
    ];
    const single: [string, string][] = [
      ['huge', '18446744073709551615::UBIGINT'], ['dbl', "'nan'::DOUBLE"], ['dbl', "'-inf'::DOUBLE"], ['dbl', '-0.0::DOUBLE'],
      ['day', 'make_date(12000, 1, 1)'], ['day', "DATE '0999-12-31'"], ['day', "DATE '1000-01-01'"],
      ['ts', "'infinity'::TIMESTAMP"], ['ts', 'make_timestamp(12000, 1, 1, 0, 0, 0)'], ['ts', "TIMESTAMP '1970-01-01 00:00:00.0009'"], ['ts', "TIMESTAMP '1969-12-31 23:59:59.9999'"],
      ['tags', "['a', NULL]"], ['tags', '[]::VARCHAR[]'], ['counts', '[NULL]::BIGINT[]'], ['flag', 'false'],
    ];
    const rows = [rowA, ...single.map(([name, value], index) => names.map((column, position) => (position === 0 ? `'R${index}'` : column === name ? value : `NULL::${typeOfColumn(rowA[position] as string)}`)))];
    const typed = `SELECT * FROM (VALUES ${rows.map((row) => `(${row.join(', ')})`).join(', ')}) t(${names.join(', ')})`;
    const nativePath = await harness.parquetFixture('native.parquet', typed);
    const textOf = (name: string) => (['tags', 'counts'].includes(name) ? `to_json(${name})::VARCHAR AS ${name}` : `CAST(${name} AS VARCHAR) AS ${name}`);
    const textPath = await harness.parquetFixture('text.parquet', `SELECT ${names.map(textOf).join(', ')} FROM read_parquet('${nativePath}')`);
    const native = await harness.ingest({ schema, format: 'parquet', files: [{ name: 'x.parquet', path: nativePath }], errorThreshold: 100 });
    const text = await harness.ingest({ schema, format: 'parquet', files: [{ name: 'x.parquet', path: textPath }], errorThreshold: 100 });
    expect(failures(native)).toEqual(failures(text));
    expect(failures(native)).toEqual([
      'x.parquet:2:VALUE_OUT_OF_RANGE:huge',
      'x.parquet:3:VALUE_OUT_OF_RANGE:dbl',
      'x.parquet:4:VALUE_OUT_OF_RANGE:dbl',
      'x.parquet:6:TYPE_MISMATCH:day',
      'x.parquet:9:TYPE_MISMATCH:ts',
      'x.parquet:10:TYPE_MISMATCH:ts',
      'x.parquet:13:TYPE_MISMATCH:tags',
      'x.parquet:15:TYPE_MISMATCH:counts',
    ]);
    const values = (outcome: typeof native) => outcome.rows.map((row) => pick([row], ...names, '$row')[0]);
    expect(values(native)).toEqual(values(text));
    expect(pick(native.rows, 'crmId', 'i64', 'dbl', 'intAsNumber', 'ts', 'tstz', 'tsms', 'tsns').slice(0, 1)).toEqual([
      { crmId: 'A', i64: '9223372036854775807', dbl: 0.1, intAsNumber: 9007199254740992, ts: '2024-01-05 10:00:00.123', tstz: '2024-01-05 08:00:00.999', tsms: '2024-01-05 10:00:00.5', tsns: '2024-01-05 10:00:00.123' },
    ]);
    // Floored to the millisecond, also before 1970.
    expect(native.rows.filter((row) => row['ts'] !== null).map((row) => row['ts'])).toEqual(['2024-01-05 10:00:00.123', '1970-01-01 00:00:00', '1969-12-31 23:59:59.999']);
  });

  it('rejects every row when a column or struct field is not declared', async () => {
    const fixture = await harness.parquetFixture('unknown.parquet', `SELECT 'U1' AS crmId, {'extra': 1} AS person UNION ALL SELECT 'U2', NULL`);
    const outcome = await harness.ingest({ schema: CRM_SCHEMA, format: 'parquet', files: [{ name: 'u.parquet', path: fixture }], errorThreshold: 100 });
    expect(failures(outcome)).toEqual(['u.parquet:1:UNKNOWN_FIELD:person.extra', 'u.parquet:2:UNKNOWN_FIELD:person.extra']);
  });

  it('reads an identityMap MAP column like the JSON identityMap', async () => {
    const fixture = await harness.parquetFixture(
      'idmap.parquet',
      `SELECT NULL::VARCHAR AS crmId, MAP {'ECID': [{'id': 'E1', 'primary': true}]} AS identityMap, 5 AS points, 1.0 AS score`,
    );
    const schema: DatasetSchema = { ...POINTS, fields: [field('crmId', 'string'), field('points', 'integer'), field('score', 'number')] };
    const outcome = await harness.ingest({ schema, format: 'parquet', files: [{ name: 'm.parquet', path: fixture }] });
    expect(pick(outcome.rows, '$identities', '$primary_ns', '$primary_id')).toEqual([{ '$identities': [{ ns: 'ECID', id: 'E1' }], '$primary_ns': 'ECID', '$primary_id': 'E1' }]);
  });

  it('fails truncated Parquet and other formats as UNREADABLE_FILE', async () => {
    const bytes = readFileSync(await harness.parquetFixture('whole.parquet', CRM_PARQUET));
    const outcome = await harness.ingest({
      schema: CRM_SCHEMA,
      format: 'parquet',
      files: [
        { name: 'cut.parquet', content: bytes.subarray(0, Math.floor(bytes.length / 2)) },
        { name: 'csv.parquet', content: 'crmId\nC1\n' },
      ],
      errorThreshold: 100,
    });
    expect(outcome.result.failedRows).toEqual([
      { file: 'cut.parquet', row: 0, code: 'UNREADABLE_FILE', message: 'not a readable Parquet file (corrupt, truncated or another format)' },
      { file: 'csv.parquet', row: 0, code: 'UNREADABLE_FILE', message: 'not a readable Parquet file (corrupt, truncated or another format)' },
    ]);
    expect(outcome.result).toMatchObject({ status: 'failed', inputRecordCount: 0 });
    expect(outcome.lakeExists).toBe(false);
  });

  it('treats a Parquet file without rows, and a zero-byte file, as files without rows', async () => {
    const fixture = await harness.parquetFixture('none.parquet', `SELECT 'x' AS crmId WHERE false`);
    const outcome = await harness.ingest({
      schema: CRM_SCHEMA,
      format: 'parquet',
      files: [
        { name: 'none.parquet', path: fixture },
        { name: 'zero.parquet', content: '' },
      ],
    });
    expect(outcome.result).toMatchObject({ status: 'success', inputRecordCount: 0, failedRows: [] });
    expect(outcome.rows).toEqual([]);
  });
});

/** The SQL type of a literal in the fixture above (what its NULLs are cast to). */
function typeOfColumn(literal: string): string {
  const cast = /::([A-Z_0-9]+(?:\(\d+, \d+\))?(?:\[\])?)$/u.exec(literal)?.[1];
  if (cast) return cast;
  if (literal.startsWith('DATE')) return 'DATE';
  if (literal.startsWith('TIMESTAMPTZ')) return 'TIMESTAMPTZ';
  if (literal.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  if (literal.startsWith('[')) return 'VARCHAR[]';
  if (literal === 'true') return 'BOOLEAN';
  if (literal.startsWith("'")) return 'VARCHAR';
  return 'BIGINT';
}
