// The SQL number rendering of exports ("$js_number", audience-export-render.ts) against JavaScript's own String(number)
// on edge cases and thousands of random doubles across the exponent range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { RENDER_MACROS_SQL } from './audience-export-render.js';
import { seededRandom } from '../../../test/support/seeded-random.js';

const random = seededRandom;

describe('"$js_number" renders doubles as JavaScript does', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    for (const statement of RENDER_MACROS_SQL) await connection.run(statement);
  });
  afterAll(() => {
    connection.closeSync();
    instance.closeSync();
  });

  async function rendered(values: readonly number[]): Promise<string[]> {
    // Values travel as their JS text, which DuckDB parses to the same double (round trip); NaN/Infinity by name.
    const rows = values.map((value, index) => `(${index}, CAST('${Number.isNaN(value) ? 'nan' : String(value).replace('Infinity', 'inf')}' AS DOUBLE))`);
    const result = await connection.runAndReadAll(`SELECT "$js_number"(x) FROM (VALUES ${rows.join(', ')}) AS t(i, x) ORDER BY i`);
    return result.getRowsJS().map((row) => row[0] as string);
  }

  it('matches String(x) on edge cases: integers, powers of ten at the notation switches, extremes, signs, non-finite', async () => {
    const edges = [
      0, -0, 1, -1, 5, 10, 100, 0.1, 0.5, 1.5, -2.25, 1 / 3, 2 / 3, 1e20, 1e21, 1.5e21, 123456789012345680000, 1e-6, 1e-7, 1.5e-7, 0.000001234, 2 ** 53, 2 ** 53 + 2,
      Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE, 5e-324, 1e300, 1e-300, 123.456, 1000000.5, 999999999999999900000, NaN, Infinity, -Infinity,
    ];
    expect(await rendered(edges)).toEqual(edges.map((value) => String(value)));
  });

  it('matches String(x) on 5,000 random doubles across the exponent range', async () => {
    const next = random(424242);
    const values = Array.from({ length: 5_000 }, () => {
      const mantissa = next() * 10;
      const exponent = Math.floor(next() * 640) - 320;
      const digits = Math.floor(next() * 17) + 1;
      const value = Number((mantissa * 10 ** exponent).toPrecision(digits));
      return next() < 0.5 ? -value : value;
    }).filter((value) => Number.isFinite(value));
    expect(await rendered(values)).toEqual(values.map((value) => String(value)));
  });
});
