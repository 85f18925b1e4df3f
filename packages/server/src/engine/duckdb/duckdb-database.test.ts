import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbDatabase } from './duckdb-database.js';

describe('DuckDbDatabase', () => {
  let db: DuckDbDatabase;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-duckdb-'));
  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 256, threads: 2, tempDirectory: path.join(tmp, 'spill') });
  });
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('runs every connection in UTC with the configured limits', async () => {
    const [row] = await db.query("SELECT current_setting('TimeZone') AS tz, current_setting('threads') AS threads, current_setting('memory_limit') AS mem");
    expect(row).toMatchObject({ tz: 'UTC', threads: 2n });
    // DuckDB reports 256 MB (decimal) in MiB: 256e6 / 2^20 = 244.1.
    expect(row?.['mem']).toBe(`${(256e6 / 2 ** 20).toFixed(1)} MiB`);
  });

  it('renders timestamps in UTC whatever the machine zone', async () => {
    const [row] = await db.query("SELECT strftime(TIMESTAMPTZ '2025-01-07 10:00:00+02', '%H:%M') AS t");
    expect(row?.['t']).toBe('08:00');
  });

  it('binds parameters instead of splicing values into SQL', async () => {
    const [row] = await db.query('SELECT $1::VARCHAR AS v, $2::INTEGER + 1 AS n', ["x'); DROP TABLE t; --", 41]);
    expect(row).toEqual({ v: "x'); DROP TABLE t; --", n: 42 });
  });
});
