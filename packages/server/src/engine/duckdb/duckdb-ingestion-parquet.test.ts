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
      expect(pick(outcome.rows, 'crmId', 'person.name.firstName', 'loyalty.points', 'preferences.channels', 'updatedAt', '_row', '_identities')).toEqual([
        {
          crmId: 'P1',
          'person.name.firstName': 'Jane',
          'loyalty.points': '5',
          'preferences.channels': ['email', 'sms'],
          updatedAt: '2024-01-05 10:00:00.123',
          _row: '1',
          _identities: [
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
          _row: '2',
          _identities: [{ ns: 'CRMID', id: 'P2' }],
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
    expect(pick(outcome.rows, 'crmId', 'points', 'score', '_row')).toEqual([{ crmId: '12', points: '1', score: 1.5, _row: '1' }]);
    expect(outcome.rejectedLines[0]).toEqual({ file: 't.parquet', row: 2, record: { crmId: 13, points: 'x', score: 2 } });
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
    expect(pick(outcome.rows, '_identities', '_primary_ns', '_primary_id')).toEqual([{ _identities: [{ ns: 'ECID', id: 'E1' }], _primary_ns: 'ECID', _primary_id: 'E1' }]);
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
