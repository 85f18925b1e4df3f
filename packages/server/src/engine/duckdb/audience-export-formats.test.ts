// exportAudience file formats (SPEC §6.4): the CSV options matrix with hostile values against hand-written bytes, value
// rendering, NDJSON objects, Parquet column types and codecs, gzip. Files are read with node:zlib, JSON.parse and
// DuckDB's own readers (parquet_schema, parquet_metadata, read_parquet), never with the code under test.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV, DEFAULT_CSV, exportRequest, fileText, openExportWorld, type ExportWorld } from '../../../test/support/export-fixtures.js';
import { fields, fixtureDataset, writeBatch, type FixtureDataset } from '../../../test/support/lake-fixtures.js';
import type { ExportColumn, ExportCsvOptions, ExportFileFormat, ProfileScope } from '../engine.js';

const HOSTILE: readonly (string | null)[] = ['a,b', 'say "hi"', 'back\\slash', 'line\nbreak', 'cr\rhere', '', null, "it's", 'é✓😀', 'tab\there', 'p|s;c:', 'q"\\,'];
const TEXT_COLUMNS: ExportColumn[] = [{ kind: 'attribute', name: 'k', path: 'k' }, { kind: 'attribute', name: 's', path: 's' }];

describe('exportAudience file formats', () => {
  let world: ExportWorld;
  let scope: ProfileScope;
  let hostile: string;
  let typed: string;
  const texts: FixtureDataset = fixtureDataset('ds-text', { class: 'profile', fields: fields(['k', 'string'], ['s', 'string']), identities: [] });
  const types: FixtureDataset = fixtureDataset('ds-types', {
    class: 'profile',
    fields: fields(
      ['i', 'integer'], ['x', 'number'], ['b', 'boolean'], ['d', 'date'], ['t', 'date-time'], ['tags', 'array', 'string'], ['nums', 'array', 'number'],
      ['person.name.first', 'string'], ['person.name.last', 'string'], ['person.age', 'integer'],
    ),
    identities: [],
  });
  const TYPE_COLUMNS: ExportColumn[] = [
    { kind: 'attribute', name: 'i', path: 'i' }, { kind: 'attribute', name: 'x', path: 'x' }, { kind: 'attribute', name: 'b', path: 'b' },
    { kind: 'attribute', name: 'd', path: 'd' }, { kind: 'attribute', name: 't', path: 't' }, { kind: 'attribute', name: 'tags', path: 'tags' },
    { kind: 'attribute', name: 'nums', path: 'nums' }, { kind: 'attribute', name: 'person', path: 'person' }, { kind: 'identity', name: 'CRMID', namespace: 'CRMID' },
  ];

  beforeAll(async () => {
    world = await openExportWorld('audience-export-formats');
    const key = (index: number) => String(index + 1).padStart(2, '0');
    await writeBatch(world.db, world.lake, texts, {
      id: 't-0', completedAt: '2024-01-01 00:00:00',
      records: HOSTILE.map((s, index) => ({ identities: [['CRMID', `T${key(index)}`]], values: { k: key(index), s } })),
    });
    await writeBatch(world.db, world.lake, types, {
      id: 'y-0', completedAt: '2024-01-01 00:00:00',
      records: [
        {
          identities: [['CRMID', 'Y1']],
          values: { i: -42, x: 5, b: true, d: '2024-02-29', t: '2024-03-01 12:34:56.789', tags: ['a', 'b"'], nums: [0.1, 1e21], 'person.name.first': 'Ann', 'person.age': 30 },
        },
        { identities: [['CRMID', 'Y2']], values: { x: -1e-7, b: false, tags: [], nums: [1 / 3] } },
        { identities: [['CRMID', 'Y3']], values: { x: 123456789012345680000 } },
      ],
    });
    scope = world.scope([texts, types], { identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } });
    hostile = await world.snapshot('hostile', HOSTILE.map((_, index) => ({ profileKey: `CRMID:T${key(index)}`, status: 'realized' as const, at: '2024-02-01 00:00:00' })));
    typed = await world.snapshot('typed', ['Y1', 'Y2', 'Y3'].map((id) => ({ profileKey: `CRMID:${id}`, status: 'realized' as const, at: '2024-02-01 00:00:00' })));
  }, 60_000);
  afterAll(() => world.close());

  const exportText = async (csv: ExportCsvOptions, columns = TEXT_COLUMNS, snapshot = hostile) => {
    const result = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: snapshot }, columns, format: { ...CSV, csv } }));
    return fileText(result.files[0]?.path as string);
  };

  it('writes CSV with the default options: quotes only when needed, escape inside quotes only', async () => {
    const expected = ['k,s', '01,"a,b"', '02,"say \\"hi\\""', '03,back\\slash', '04,"line\nbreak"', '05,"cr\rhere"', '06,', '07,', "08,it's", '09,é✓😀', '10,tab\there', '11,p|s;c:', '12,"q\\"\\\\,"'];
    expect(await exportText(DEFAULT_CSV)).toBe(`${expected.join('\n')}\n`);
  });

  it('writes CSV with tab, quote = escape = apostrophe, quoteAll, and distinct null and empty values', async () => {
    const csv = { delimiter: '\t', quote: "'", escape: "'", nullValue: 'NULL', emptyValue: 'EMPTY', header: true, quoteAll: true };
    const expected = ["'k'\t's'", "'01'\t'a,b'", "'02'\t'say \"hi\"'", "'03'\t'back\\slash'", "'04'\t'line\nbreak'", "'05'\t'cr\rhere'", "'06'\tEMPTY", "'07'\tNULL", "'08'\t'it''s'", "'09'\t'é✓😀'", "'10'\t'tab\there'", "'11'\t'p|s;c:'", "'12'\t'q\"\\,'"];
    expect(await exportText(csv)).toBe(`${expected.join('\n')}\n`);
  });

  it('writes CSV without quoting: delimiter, CR, LF and the escape itself are escaped', async () => {
    const csv = { delimiter: '|', quote: '', escape: '\\', nullValue: '\\N', emptyValue: '', header: true, quoteAll: false };
    const expected = ['k|s', '01|a,b', '02|say "hi"', '03|back\\\\slash', '04|line\\\nbreak', '05|cr\\\rhere', '06|', '07|\\N', "08|it's", '09|é✓😀', '10|tab\there', '11|p\\|s;c:', '12|q"\\\\,'];
    expect(await exportText(csv)).toBe(`${expected.join('\n')}\n`);
  });

  it('writes CSV with semicolons, an apostrophe escape distinct from the quote, and no header', async () => {
    const csv = { delimiter: ';', quote: '"', escape: "'", nullValue: '', emptyValue: '', header: false, quoteAll: false };
    const expected = ['01;a,b', `02;"say '"hi'""`, '03;back\\slash', '04;"line\nbreak"', '05;"cr\rhere"', '06;', '07;', "08;it's", '09;é✓😀', '10;tab\there', '11;"p|s;c:"', `12;"q'"\\,"`];
    expect(await exportText(csv)).toBe(`${expected.join('\n')}\n`);
  });

  it('quotes a header name holding the delimiter', async () => {
    const columns: ExportColumn[] = [{ kind: 'attribute', name: 'a,b', path: 'k' }];
    const text = await exportText(DEFAULT_CSV, columns);
    expect(text.split('\n')[0]).toBe('"a,b"');
  });

  it('renders integers, shortest numbers, booleans, dates, date-times, arrays and objects in CSV', async () => {
    const text = await exportText({ ...DEFAULT_CSV, nullValue: '~' }, TYPE_COLUMNS, typed);
    expect(text).toBe(
      'i,x,b,d,t,tags,nums,person,CRMID\n' +
        '-42,5,true,2024-02-29,2024-03-01T12:34:56.789Z,"[\\"a\\",\\"b\\\\\\"\\"]","[0.1,1e+21]","{\\"name\\":{\\"first\\":\\"Ann\\"},\\"age\\":30}",Y1\n' +
        '~,-1e-7,false,~,~,[],[0.3333333333333333],~,Y2\n' +
        '~,123456789012345680000,~,~,~,~,~,~,Y3\n',
    );
  });

  it('writes NDJSON: one flat object per row, missing values left out, arrays and objects native, gzip when asked', async () => {
    for (const compression of ['NONE', 'GZIP'] as const) {
      const format: ExportFileFormat = { fileType: 'JSON', compression, csv: DEFAULT_CSV };
      const result = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: typed }, columns: TYPE_COLUMNS, format }));
      expect(result.files[0]?.path.endsWith(compression === 'GZIP' ? 'part-00001.json.gz' : 'part-00001.json')).toBe(true);
      const text = fileText(result.files[0]?.path as string);
      expect(text.split('\n')).toHaveLength(4);
      expect(text.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([
        { i: -42, x: 5, b: true, d: '2024-02-29', t: '2024-03-01T12:34:56.789Z', tags: ['a', 'b"'], nums: [0.1, 1e21], person: { name: { first: 'Ann' }, age: 30 }, CRMID: 'Y1' },
        { x: -1e-7, b: false, tags: [], nums: [1 / 3], CRMID: 'Y2' },
        { x: 123456789012345680000, CRMID: 'Y3' },
      ]);
      expect(text.split('\n')[2]).toBe('{"x":123456789012345680000,"CRMID":"Y3"}');
    }
    const hostileJson = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: hostile }, columns: TEXT_COLUMNS, format: { fileType: 'JSON', compression: 'NONE', csv: DEFAULT_CSV } }));
    const rows = fileText(hostileJson.files[0]?.path as string).trimEnd().split('\n').map((line) => JSON.parse(line) as { k: string; s?: string });
    expect(rows.map((row) => row.s ?? null)).toEqual(HOSTILE);
  });

  it('writes Parquet with typed columns, arrays and objects as JSON text, GZIP codec or uncompressed pages', async () => {
    for (const compression of ['NONE', 'GZIP'] as const) {
      const format: ExportFileFormat = { fileType: 'PARQUET', compression, csv: DEFAULT_CSV };
      const result = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: typed }, columns: TYPE_COLUMNS, format }));
      const file = result.files[0]?.path as string;
      expect(file.endsWith('part-00001.parquet')).toBe(true);
      const schema = await world.db.query(`SELECT name, type, converted_type FROM parquet_schema('${file}') WHERE name <> 'duckdb_schema'`);
      expect(schema.map((row) => [row['name'], row['type'], row['converted_type']])).toEqual([
        ['i', 'INT64', 'INT_64'], ['x', 'DOUBLE', null], ['b', 'BOOLEAN', null], ['d', 'INT32', 'DATE'], ['t', 'INT64', 'TIMESTAMP_MILLIS'],
        ['tags', 'BYTE_ARRAY', 'UTF8'], ['nums', 'BYTE_ARRAY', 'UTF8'], ['person', 'BYTE_ARRAY', 'UTF8'], ['CRMID', 'BYTE_ARRAY', 'UTF8'],
      ]);
      const codecs = await world.db.query(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`);
      expect(codecs.map((row) => row['compression'])).toEqual([compression === 'GZIP' ? 'GZIP' : 'UNCOMPRESSED']);
      const rows = await world.db.query(`SELECT i, x, b, strftime(d, '%Y-%m-%d') AS d, epoch_ms(t) AS t, tags, nums, person, "CRMID" FROM read_parquet('${file}')`);
      expect(rows).toEqual([
        { i: -42n, x: 5, b: true, d: '2024-02-29', t: BigInt(Date.parse('2024-03-01T12:34:56.789Z')), tags: '["a","b\\""]', nums: '[0.1,1e+21]', person: '{"name":{"first":"Ann"},"age":30}', CRMID: 'Y1' },
        { i: null, x: -1e-7, b: false, d: null, t: null, tags: '[]', nums: '[0.3333333333333333]', person: null, CRMID: 'Y2' },
        { i: null, x: 123456789012345680000, b: null, d: null, t: null, tags: null, nums: null, person: null, CRMID: 'Y3' },
      ]);
      expect(result.files[0]?.rows).toBe(3);
    }
  });

  it('gzips whole CSV and JSON files, each part on its own and empty ones too, and writes a Parquet schema without rows for an empty export', async () => {
    const format: ExportFileFormat = { ...CSV, compression: 'GZIP' };
    const result = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: typed }, columns: TYPE_COLUMNS.slice(0, 2), format, maxFileRowCount: 2 }));
    expect(result.files.map((file) => file.path.split('/').at(-1))).toEqual(['part-00001.csv.gz', 'part-00002.csv.gz']);
    expect(result.files.map((file) => fileText(file.path))).toEqual(['i,x\n-42,5\n,-1e-7\n', 'i,x\n,123456789012345680000\n']);
    const empty = await world.snapshot('no-one', []);
    // Zero rows, gzip: a valid gzip stream of the header alone (CSV) or of nothing (JSON), read by the gunzip CLI.
    for (const [fileType, expected] of [['CSV', 'i,x\n'], ['JSON', '']] as const) {
      const written = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: empty }, columns: TYPE_COLUMNS.slice(0, 2), format: { ...format, fileType } }));
      expect(written.files.map((file) => execFileSync('gunzip', ['-c', file.path]).toString('utf8'))).toEqual([expected]);
      expect(written.files.map((file) => file.rows)).toEqual([0]);
    }
    const parquet = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: empty }, columns: TYPE_COLUMNS, format: { ...CSV, fileType: 'PARQUET' } }));
    expect(parquet.files).toHaveLength(1);
    const file = parquet.files[0]?.path as string;
    expect(await world.db.query(`SELECT count(*) AS n FROM read_parquet('${file}')`)).toEqual([{ n: 0n }]);
    expect((await world.db.query(`SELECT name FROM parquet_schema('${file}') WHERE name <> 'duckdb_schema'`)).map((row) => row['name'])).toEqual(TYPE_COLUMNS.map((column) => column.name));
  });
});
