import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbDatabase } from '../engine/duckdb/duckdb-database.js';
import type { SchemaField } from '../engine/lake-schema.js';
import { AppError } from '../errors.js';
import { DEMO_DATA_FORMATS, DEMO_DATASETS, demoFileFields, generateDemoData, type DemoDataFormat, type DemoDataOptions } from './demo-data.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-demo-data-'));
let db: DuckDbDatabase;
beforeAll(async () => {
  db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
});
afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

const BASE = { profiles: 2_000, events: 20_000, seed: 42, asOf: '2025-06-30' } as const;
const options = (format: DemoDataFormat, dir: string, overrides: Partial<DemoDataOptions> = {}): DemoDataOptions =>
  ({ ...BASE, format, outDir: path.join(tmp, dir), ...overrides });
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const hashes = (dir: string, format: DemoDataFormat) =>
  Object.fromEntries(['profiles', 'loyalty', 'events'].map((file) => [file, sha256(path.join(tmp, dir, `${file}.${format}`))]));
const sqlText = (value: string) => `'${value.replaceAll("'", "''")}'`;

describe.each(DEMO_DATA_FORMATS.map((format) => [format]))('generateDemoData as %s', (format) => {
  beforeAll(async () => {
    await generateDemoData(options(format, `${format}-a`), { database: db });
    await generateDemoData(options(format, `${format}-b`), { database: db });
    await generateDemoData(options(format, `${format}-seed-43`, { seed: 43 }), { database: db });
  });

  it('writes byte-identical files for the same options', () => {
    expect(hashes(`${format}-b`, format)).toEqual(hashes(`${format}-a`, format));
  });

  it('writes different files for another seed', () => {
    const same = hashes(`${format}-a`, format);
    const other = hashes(`${format}-seed-43`, format);
    for (const file of Object.keys(same)) expect(other[file], file).not.toBe(same[file]);
  });

  it('writes the promised number of rows, readable by DuckDB', async () => {
    const counts = await Promise.all(['profiles', 'loyalty', 'events'].map(async (file) => {
      const rows = await db.query(`SELECT count(*)::INTEGER AS n FROM ${sqlText(path.join(tmp, `${format}-a`, `${file}.${format}`))}`);
      return rows[0]?.['n'];
    }));
    expect(counts).toEqual([2_000, 500, 20_000]);
  });
});

describe('the three formats', () => {
  it('writes a CSV header of exactly the field paths of each dataset, implicit event fields first', () => {
    for (const dataset of DEMO_DATASETS) {
      const header = readFileSync(path.join(tmp, 'csv-a', `${dataset.file}.csv`), 'utf8').split('\n', 1)[0];
      const expected = [...(dataset.schema.class === 'experienceEvent' ? ['_id', 'timestamp'] : []), ...dataset.schema.fields.map((field) => field.path)];
      expect(header?.split(','), dataset.name).toEqual(expected);
    }
  });

  it('types every Parquet column as its field type', async () => {
    const expectedType: Record<string, string> = {
      string: 'VARCHAR', integer: 'BIGINT', number: 'DOUBLE', boolean: 'BOOLEAN', date: 'DATE', 'date-time': 'TIMESTAMP WITH TIME ZONE', array: 'VARCHAR[]',
    };
    for (const dataset of DEMO_DATASETS) {
      const columns = await db.query(`DESCRIBE SELECT * FROM ${sqlText(path.join(tmp, 'parquet-a', `${dataset.file}.parquet`))}`);
      expect(columns.map((column) => [column['column_name'], column['column_type']])).toEqual(
        demoFileFields(dataset).map((field) => [field.path, expectedType[field.type]]));
    }
  });

  it('carries the same records in CSV, NDJSON (nested objects) and Parquet', async () => {
    for (const dataset of DEMO_DATASETS) {
      const fields = demoFileFields(dataset);
      const file = (format: DemoDataFormat) => sqlText(path.join(tmp, `${format}-a`, `${dataset.file}.${format}`));
      const csv = `SELECT ${fields.map((field) => `${typedFromText(`"${field.path}"`, field)} AS "${field.path}"`).join(', ')}
        FROM read_csv(${file('csv')}, header = true, all_varchar = true)`;
      const ndjson = `SELECT ${fields.map((field) => `${typedFromJson(field)} AS "${field.path}"`).join(', ')}
        FROM read_ndjson_objects(${file('ndjson')})`;
      const parquet = `SELECT * FROM ${file('parquet')}`;
      for (const [name, other] of [['NDJSON', ndjson], ['Parquet', parquet]] as const) {
        const [difference] = await db.query(`SELECT count(*)::INTEGER AS n FROM ((${csv} EXCEPT ALL ${other}) UNION ALL (${other} EXCEPT ALL ${csv}))`);
        expect(difference?.['n'], `${dataset.name}: CSV vs ${name}`).toBe(0);
      }
    }
  });

  it('does not depend on the number of threads, even across Parquet row groups', async () => {
    const single = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 1, tempDirectory: path.join(tmp, 'spill-1') });
    try {
      const large = { profiles: 1_000, events: 300_000 };
      await generateDemoData(options('parquet', 'threads-1', large), { database: single });
      await generateDemoData(options('parquet', 'threads-2', large), { database: db });
    } finally {
      single.close();
    }
    expect(hashes('threads-2', 'parquet')).toEqual(hashes('threads-1', 'parquet'));
  });
});

/** A CSV cell (text, SPEC §3.4 rules) as a value of the field's type. */
function typedFromText(text: string, field: SchemaField): string {
  switch (field.type) {
    case 'string': return text;
    case 'integer': return `${text}::BIGINT`;
    case 'number': return `${text}::DOUBLE`;
    case 'boolean': return `${text}::BOOLEAN`;
    case 'date': return `${text}::DATE`;
    case 'date-time': return `${text}::TIMESTAMPTZ`;
    case 'array': return `from_json(${text}, '["VARCHAR"]')`;
  }
}

function typedFromJson(field: SchemaField): string {
  const jsonPath = `'$.${field.path}'`;
  return field.type === 'array' ? `from_json(json -> ${jsonPath}, '["VARCHAR"]')` : typedFromText(`(json ->> ${jsonPath})`, field);
}

describe('generateDemoData options', () => {
  const valid = options('csv', 'never-written');
  it.each([
    [{ profiles: 0 }, 'profiles must be a whole number from 1'],
    [{ profiles: 1.5 }, 'profiles must be a whole number'],
    [{ profiles: 100_000_001 }, 'profiles must be a whole number from 1 to 100,000,000'],
    [{ events: -1 }, 'events must be a whole number from 0'],
    [{ events: Number.NaN }, 'events must be a whole number'],
    [{ seed: -1 }, 'seed must be a non-negative whole number'],
    [{ asOf: '2025-02-30' }, "asOf must be a date written YYYY-MM-DD (got '2025-02-30')"],
    [{ asOf: '2025-6-1' }, 'asOf must be a date written YYYY-MM-DD'],
    [{ format: 'xml' as DemoDataFormat }, 'format must be one of csv, ndjson, parquet'],
    [{ outDir: ' ' }, 'outDir must not be empty'],
  ])('rejects %j, saying why, before writing anything', async (override, message) => {
    const error: unknown = await generateDemoData({ ...valid, ...override }, { database: db }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'VALIDATION' });
    expect((error as Error).message).toContain(message);
    expect(existsSync(valid.outDir)).toBe(false);
  });

  it('reports every file it wrote with its rows and size, in dataset order', async () => {
    const written: string[] = [];
    const report = await generateDemoData(options('csv', 'report', { profiles: 10, events: 0 }), { database: db, onFileWritten: (file) => written.push(file.fileName) });
    expect(written).toEqual(['profiles.csv', 'loyalty.csv', 'events.csv']);
    expect(report.files.map((file) => [file.dataset.name, file.rows])).toEqual([['Demo CRM profiles', 10], ['Demo loyalty members', 2], ['Demo web events', 0]]);
    for (const file of report.files) expect(file.bytes).toBe(readFileSync(file.path).length);
    // An empty event file still has its header.
    expect(readFileSync(path.join(tmp, 'report', 'events.csv'), 'utf8')).toMatch(/^_id,timestamp,ecid,/);
  });
});

describe('generateDemoData on a DuckDB that may reorder rows', () => {
  it('refuses rather than write files that would differ from run to run', async () => {
    const unordered = await DuckDbDatabase.open({ memoryLimitMb: 256, threads: 2, tempDirectory: path.join(tmp, 'spill-unordered') });
    try {
      await unordered.query('SET preserve_insertion_order = false');
      await expect(generateDemoData(options('csv', 'unordered', { profiles: 10, events: 10 }), { database: unordered })).rejects.toThrow(/preserve_insertion_order/);
      expect(existsSync(path.join(tmp, 'unordered', 'profiles.csv'))).toBe(false);
    } finally {
      unordered.close();
    }
  });
});
