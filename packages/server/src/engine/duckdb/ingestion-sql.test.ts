import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowErrorCode, ScalarFieldType } from '../lake-schema.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { normalizeIdSql, normalizeIdSqlForNamespace } from './identity-sql.js';
import { convertArraySql, convertScalarSql, paramsUsedBy, trimWhenNeededSql, type ConversionSql } from './ingestion-sql.js';
import { identityKeyOf } from './profile-values.js';

type Expected = { readonly value: unknown } | { readonly code: RowErrorCode };

/** Hand-written expectations: DuckDB's JSON form of the typed value (BIGINT as text, TIMESTAMP as `YYYY-MM-DD HH:MM:SS[.fff]`). */
const SCALAR_CASES: readonly (readonly [ScalarFieldType, string, Expected])[] = [
  ['integer', '42', { value: '42' }],
  ['integer', ' 42\t', { value: '42' }],
  ['integer', '+7', { value: '7' }],
  ['integer', '007', { value: '7' }],
  ['integer', '-9223372036854775808', { value: '-9223372036854775808' }],
  ['integer', '9223372036854775808', { code: 'VALUE_OUT_OF_RANGE' }],
  ['integer', '-9223372036854775809', { code: 'VALUE_OUT_OF_RANGE' }],
  ['integer', '12,5', { code: 'TYPE_MISMATCH' }],
  ['integer', '12.0', { code: 'TYPE_MISMATCH' }],
  ['integer', '1_000', { code: 'TYPE_MISMATCH' }],
  ['integer', '0x10', { code: 'TYPE_MISMATCH' }],
  ['integer', '1e3', { code: 'TYPE_MISMATCH' }],
  ['number', '1.5', { value: 1.5 }],
  ['number', '.5', { value: 0.5 }],
  ['number', '5.', { value: 5 }],
  ['number', ' -2e3 ', { value: -2000 }],
  ['number', '1e400', { code: 'VALUE_OUT_OF_RANGE' }],
  ['number', 'NaN', { code: 'VALUE_OUT_OF_RANGE' }],
  ['number', '-Infinity', { code: 'VALUE_OUT_OF_RANGE' }],
  ['number', 'inf', { code: 'VALUE_OUT_OF_RANGE' }],
  ['number', '1,5', { code: 'TYPE_MISMATCH' }],
  ['number', '1_0', { code: 'TYPE_MISMATCH' }],
  ['boolean', 'true', { value: true }],
  ['boolean', 'TRUE', { value: true }],
  ['boolean', ' False ', { value: false }],
  ['boolean', 'yes', { code: 'TYPE_MISMATCH' }],
  ['boolean', '1', { code: 'TYPE_MISMATCH' }],
  ['date', '2024-02-29', { value: '2024-02-29' }],
  ['date', ' 2024-01-05 ', { value: '2024-01-05' }],
  ['date', '2023-02-29', { code: 'TYPE_MISMATCH' }],
  ['date', '2024-13-01', { code: 'TYPE_MISMATCH' }],
  ['date', '2024-1-5', { code: 'TYPE_MISMATCH' }],
  ['date', '2024-01-05T00:00:00Z', { code: 'TYPE_MISMATCH' }],
  ['date-time', '2024-01-05T10:00:00Z', { value: '2024-01-05 10:00:00' }],
  ['date-time', '2024-01-05t10:00:00z', { value: '2024-01-05 10:00:00' }],
  ['date-time', '2024-01-05 10:00:00', { value: '2024-01-05 10:00:00' }],
  ['date-time', '2024-01-05T10:00:00.123456+02:00', { value: '2024-01-05 08:00:00.123' }],
  ['date-time', '2024-01-05T23:30:00-05:00', { value: '2024-01-06 04:30:00' }],
  ['date-time', '1969-12-31T23:59:59.9999Z', { value: '1969-12-31 23:59:59.999' }],
  ['date-time', '2024-01-05T25:00:00Z', { code: 'TYPE_MISMATCH' }],
  ['date-time', '2024-01-05', { code: 'TYPE_MISMATCH' }],
  ['date-time', '2024-01-05T10:00Z', { code: 'TYPE_MISMATCH' }],
  ['date-time', '2024-01-05T10:00:00 UTC', { code: 'TYPE_MISMATCH' }],
  ['date-time', 'yesterday', { code: 'TYPE_MISMATCH' }],
  // Shapes the LIKE fast path sees, with something wrong inside.
  ['date-time', '2024- 1-05T10:00:00Z', { code: 'TYPE_MISMATCH' }],
  ['date-time', '2024-0a-05T10:00:00Z', { code: 'TYPE_MISMATCH' }],
  ['date-time', '-024-01-05T10:00:00Z', { code: 'TYPE_MISMATCH' }],
  ['date-time', '2024-01-05T10:00:00+0a:00', { code: 'TYPE_MISMATCH' }],
  ['date-time', '2024-02-30T10:00:00Z', { code: 'TYPE_MISMATCH' }],
  ['date-time', '2024-01-05T10:00:00-03:30', { value: '2024-01-05 13:30:00' }],
  ['integer', '-0', { value: '0' }],
  ['integer', '1.5', { code: 'TYPE_MISMATCH' }],
  ['string', ' 12 ', { value: ' 12 ' }],
];

const ARRAY_CASES: readonly (readonly [ScalarFieldType, string, Expected])[] = [
  ['integer', '[1, "2", 3]', { value: ['1', '2', '3'] }],
  ['integer', '[]', { value: [] }],
  ['integer', '[1.5]', { code: 'TYPE_MISMATCH' }],
  ['integer', '[9223372036854775808]', { code: 'VALUE_OUT_OF_RANGE' }],
  ['integer', '[null]', { code: 'TYPE_MISMATCH' }],
  ['integer', '[[1]]', { code: 'TYPE_MISMATCH' }],
  ['string', '["email", "sms"]', { value: ['email', 'sms'] }],
  ['string', '[]', { value: [] }],
  ['string', ' ["a"]', { value: ['a'] }],
  ['string', '["a\\"b\\u00e9", "\\ud83d\\ude00"]', { value: ['a"bé', '\u{1F600}'] }],
  // Numbers keep their JSON spelling where DuckDB keeps it (-1e-7, 1E400); a transform to VARCHAR[] would not.
  ['string', '[1.50, 1e3, -0, -1e-7, 1E400, true, 12345678901234567890]', { value: ['1.5', '1000.0', '0', '-1e-7', '1E400', 'true', '12345678901234567890'] }],
  ['string', '["a", -1e-7]', { value: ['a', '-1e-7'] }],
  ['string', '["a", null]', { code: 'TYPE_MISMATCH' }],
  ['string', '["a", {"b": 1}]', { code: 'TYPE_MISMATCH' }],
  ['string', '["a", ["b"]]', { code: 'TYPE_MISMATCH' }],
  ['string', '["[b]", "{c}"]', { value: ['[b]', '{c}'] }],
  ['string', '["a",', { code: 'TYPE_MISMATCH' }],
  ['string', '[1] x', { code: 'TYPE_MISMATCH' }],
  ['string', '"email"', { code: 'TYPE_MISMATCH' }],
  ['string', 'email', { code: 'TYPE_MISMATCH' }],
  ['date', '["2024-01-05"]', { value: ['2024-01-05'] }],
];

describe('ingestion conversions (executed in DuckDB)', () => {
  let db: DuckDbDatabase;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-ingestion-sql-'));
  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 256, threads: 1, tempDirectory: path.join(tmp, 'spill') });
  });
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function convert(conversion: ConversionSql, text: string, isArray: boolean): Promise<Expected> {
    const invalid = isArray ? '(value IS NULL OR list_count(value) <> len(value))' : 'value IS NULL';
    const sql = `SELECT value, CASE WHEN ${invalid} THEN ${conversion.failure} END AS code FROM (SELECT ${conversion.value} AS value, v, k FROM (SELECT $text::VARCHAR AS v, false AS k))`;
    const rows = await db.withConnection(async (connection) => (await connection.runAndReadAll(sql, paramsUsedBy(sql, { text }))).getRowObjectsJson());
    const row = rows[0] ?? {};
    return row['code'] === null ? { value: row['value'] } : { code: row['code'] as RowErrorCode };
  }

  it.each(SCALAR_CASES)('%s %j → %j', async (type, text, expected) => {
    expect(await convert(convertScalarSql(type, 'v', 'k'), text, false)).toEqual(expected);
  });

  it.each(ARRAY_CASES)('array of %s %j → %j', async (items, text, expected) => {
    expect(await convert(convertArraySql(items, 'v'), text, true)).toEqual(expected);
  });

  it('rejects an object or array where a scalar is declared', async () => {
    const sql = `SELECT ${convertScalarSql('string', 'v', 'k').value} AS value FROM (SELECT '{"a":1}' AS v, true AS k)`;
    expect(await db.query(sql)).toEqual([{ value: null }]);
  });

  it.each([
    ['Email', ' Jane@X.COM\t', 'jane@x.com'],
    ['email', 'A@B.C', 'a@b.c'],
    ['Phone', '+1 (555) 010-9999', '+15550109999'],
    ['phone', ' 0044 20 ', '004420'],
    ['CRMID', ' AbC ', 'AbC'],
    ['ECID', 'x', 'x'],
  ])('normalises a %s id %j to %j, with the namespace known or not', async (namespace, id, expected) => {
    const rows = await db.withConnection(async (connection) => {
      const sql = `SELECT ${normalizeIdSqlForNamespace(namespace, '$id::VARCHAR')} AS a, ${normalizeIdSql('$ns::VARCHAR', '$id::VARCHAR')} AS b`;
      return (await connection.runAndReadAll(sql, { id, ns: namespace })).getRowObjectsJson();
    });
    expect(rows).toEqual([{ a: expected, b: expected }]);
  });

  it('normalises ids in SQL (ingestion, lake readers) exactly as identityKeyOf does in JavaScript (lookups)', async () => {
    const cases: [string, string][] = [
      ['Email', '\u00a0Jane@X.COM\u00a0'],
      ['Email', '\u2003a@b.c\u3000'],
      ['Email', 'ÉLODIE@EXEMPLE.FR'],
      ['Email', 'İSTANBUL@X.TR'],
      ['Email', 'STRASSE@ẞ.DE'],
      ['Email', 'ΟΔΟΣ@ΣΑΣ.GR'],
      ['Email', 'ǅ@Ω.K'],
      ['Email', '\tA@B.C\n\r\u000b\f'],
      ['Phone', '\u00a0+44 (0)20 7946 0958\u00a0'],
      ['Phone', '+١٢٣'],
      ['CRMID', '\u00a0AbC\u2028'],
      ['crmid', ' x '],
    ];
    for (const [namespace, id] of cases) {
      const [row] = await db.withConnection(async (connection) => {
        const sql = `SELECT ${normalizeIdSqlForNamespace(namespace, '$id::VARCHAR')} AS a, ${normalizeIdSql('$ns::VARCHAR', '$id::VARCHAR')} AS b`;
        return (await connection.runAndReadAll(sql, { id, ns: namespace })).getRowObjectsJson();
      });
      const expected = identityKeyOf({ namespace, id }).id;
      expect({ namespace, id, sql: [row?.['a'], row?.['b']] }).toEqual({ namespace, id, sql: [expected, expected] });
    }
  });

  it('trims only when the text starts or ends with whitespace', async () => {
    const rows = await db.withConnection(async (connection) =>
      (await connection.runAndReadAll(`SELECT ${trimWhenNeededSql('t')} AS t FROM (VALUES (' a'), ('a\n'), ('\ta b\r'), ('a b'), ('')) v(t)`)).getRowObjectsJson(),
    );
    expect(rows.map((row) => row['t'])).toEqual(['a', 'a', 'a b', 'a b', '']);
  });
});
