// User fields named like the engine's own columns (SPEC §3.1: every path of the grammar is the user's) round-trip
// through CSV, NDJSON and Parquet ingestion, both attribute merges and the lookup API unchanged.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbDatabase } from '../../src/engine/duckdb/duckdb-database.js';
import { engineNameCandidates } from '../support/engine-sql-names.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const CATALOG = '/data/foundation/catalog';
const IMPORT = '/data/foundation/import/batches';
const UPS = '/data/core/ups';

/** Fields with a type other than string; everything else is a string field. */
const TIME_FIELDS = new Set(['_fragment_time', '_batch_completed_at']);
/** Always in the Parquet file: DuckDB's readers generate columns of these names. */
const PARQUET_ALWAYS = new Set(['filename', 'file_row_number', 'file_index', 'rowid', 'ordinality', 'json']);
const IDENTITY = '_primary_id';

const names = engineNameCandidates();
const paths = [...names, '_acme.tier', '_acme._file', '_acme.__proto__', '_acme.constructor'];
const profileFields = paths.map((fieldPath) => ({ path: fieldPath, type: TIME_FIELDS.has(fieldPath) ? 'date-time' : 'string' }));
const eventFields = profileFields.filter((field) => field.path !== 'timestamp' && field.path !== '_id');

type Source = 'csv' | 'ndjson' | 'parquet';
const TIMES: Record<Source, string> = { csv: '2026-01-10T00:00:00.000Z', ndjson: '2026-01-12T00:00:00.000Z', parquet: '2026-01-11T00:00:00.000Z' };
/** Which fields each fragment of profile P-1 has: the CSV row all, the NDJSON record every other, the Parquet file every third. */
const has: Record<Source, (fieldPath: string, index: number) => boolean> = {
  csv: () => true,
  ndjson: (fieldPath, index) => index % 2 === 0 || fieldPath === IDENTITY || fieldPath === '_fragment_time',
  parquet: (fieldPath, index) => index % 3 === 0 || PARQUET_ALWAYS.has(fieldPath) || fieldPath === IDENTITY || fieldPath === '_fragment_time',
};
/** The value a source holds at a path; the user's `_batch_completed_at` is far in the future to upset any confusion with the engine's. */
function valueOf(source: Source | 'event', fieldPath: string): string {
  if (fieldPath === IDENTITY) return 'P-1';
  if (fieldPath === '_fragment_time') return source === 'event' ? '2026-01-09T00:00:00.000Z' : TIMES[source];
  if (fieldPath === '_batch_completed_at') return `${{ csv: '2031', ndjson: '2029', parquet: '2030', event: '2028' }[source]}-01-01T00:00:00.000Z`;
  return `${source}:${fieldPath}`;
}

/** Nests path → value pairs into plain objects with own properties only (`__proto__` is a key like any other). */
function nest(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const define = (target: Record<string, unknown>, key: string, value: unknown) =>
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [fieldPath, value] of entries) {
    const segments = fieldPath.split('.');
    const leaf = segments.pop() as string;
    let node = root;
    for (const segment of segments) {
      if (!Object.hasOwn(node, segment)) define(node, segment, {});
      node = node[segment] as Record<string, unknown>;
    }
    define(node, leaf, value);
  }
  return root;
}

/** The merged value of every path when fragments are taken in `order` (first that has a value wins). */
function merged(order: readonly Source[], fieldPaths: readonly string[] = paths): Record<string, unknown> {
  return nest(fieldPaths.map((fieldPath) => {
    const index = paths.indexOf(fieldPath);
    const source = order.find((candidate) => has[candidate](fieldPath, index)) as Source;
    return [fieldPath, valueOf(source, fieldPath)] as const;
  }));
}

/** Every file also has a rejected row 2 (partial ingestion), so the checked and row-by-row passes run too. */
function csvFile(): string {
  const cell = (fieldPath: string) => valueOf('csv', fieldPath).replace('.000Z', 'Z');
  return `${paths.join(',')}\n${paths.map(cell).join(',')}\nP-2,too few cells\n`;
}

function ndjsonFile(): string {
  return `${JSON.stringify(nest(paths.filter((fieldPath, index) => has.ndjson(fieldPath, index)).map((fieldPath) => [fieldPath, valueOf('ndjson', fieldPath)])))}\n{"_primary_id": "P-2",\n`;
}

function eventFile(): string {
  const record = nest(eventFields.map((field) => [field.path, valueOf('event', field.path)]));
  Object.assign(record, { _id: 'ev-1', timestamp: '2026-01-09T08:00:00Z' });
  return `${JSON.stringify(record)}\n`;
}

/** The Parquet fragment, written by DuckDB: flat columns by name, `_acme` as a struct. */
async function parquetFile(dir: string): Promise<Buffer> {
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const text = (value: string) => `'${value.replaceAll("'", "''")}'`;
  const present = paths.filter((fieldPath, index) => has.parquet(fieldPath, index));
  // Row 2 is rejected: its timestampField is not a date-time.
  const row = (rejected: boolean) => {
    const value = (fieldPath: string) => (rejected && fieldPath === '_fragment_time' ? 'not a date-time' : valueOf('parquet', fieldPath));
    const flat = present.filter((fieldPath) => !fieldPath.startsWith('_acme.')).map((fieldPath) => `${text(value(fieldPath))} AS ${quote(fieldPath)}`);
    const nested = present.filter((fieldPath) => fieldPath.startsWith('_acme.')).map((fieldPath) => `${quote(fieldPath.slice(6))}: ${text(value(fieldPath))}`);
    return `SELECT ${(nested.length > 0 ? [...flat, `{${nested.join(', ')}} AS "_acme"`] : flat).join(', ')}`;
  };
  const file = path.join(dir, 'fragment.parquet');
  const database = await DuckDbDatabase.open({ memoryLimitMb: 256, threads: 1, tempDirectory: path.join(dir, 'spill') });
  try {
    await database.query(`COPY (${row(false)} UNION ALL ${row(true)}) TO ${text(file)} (FORMAT parquet)`);
  } finally {
    database.close();
  }
  return readFileSync(file);
}

interface Lookup {
  entityId: string;
  sources: string[];
  entity: Record<string, unknown>;
  lastModifiedAt: string;
}

describe('user fields named like internal columns', () => {
  let t: TestApp;
  let admin: TestCaller;
  const ids = { a: '', b: '', events: '' };
  const policies = { bFirst: '' };

  const send = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    t.inject({ method, url, headers: admin.headers(body === undefined ? {} : { 'content-type': 'application/json' }), ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  const lookup = async (extra = ''): Promise<[string, Lookup]> => {
    const response = await send('GET', `${UPS}/access/entities?schema.name=_xdm.context.profile&entityId=P-1&entityIdNS=CRMID${extra}`);
    expect(response.statusCode, response.body).toBe(200);
    const entries = Object.entries(response.json<Record<string, Lookup>>());
    expect(entries).toHaveLength(1);
    return entries[0] as [string, Lookup];
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
    const dataset = async (name: string, schema: unknown) => {
      const response = await send('POST', `${CATALOG}/dataSets`, { name, schema });
      expect(response.statusCode, response.body).toBe(201);
      return (response.json<string[]>()[0] ?? '').replace('@/dataSets/', '');
    };
    const ingest = async (datasetId: string, format: string, fileName: string, content: string | Buffer, rejectedRows = 1) => {
      t.clock.advance(3_600_000);
      const batchId = (await send('POST', IMPORT, { datasetId, inputFormat: { format }, partialIngestion: { errorThreshold: 50 } })).json<{ id: string }>().id;
      const upload = await t.inject({ method: 'PUT', url: `${IMPORT}/${batchId}/datasets/${datasetId}/files/${fileName}`, headers: admin.headers({ 'content-type': 'application/octet-stream' }), payload: content });
      expect(upload.statusCode, upload.body).toBe(200);
      await send('POST', `${IMPORT}/${batchId}?action=COMPLETE`);
      await t.runtime.services.profilesModule.batches.whenIdle();
      const batch = (await send('GET', `${CATALOG}/batches/${batchId}`)).json<Record<string, { status: string; recordCount: number }>>()[batchId];
      expect(batch, JSON.stringify(batch)).toMatchObject({ status: 'success', recordCount: 1, metrics: { failedRecordCount: rejectedRows } });
      if (rejectedRows > 0) expect(batch).toMatchObject({ failedRows: [{ file: fileName, row: 2 }] });
    };
    const identities = [{ path: IDENTITY, namespace: 'CRMID', primary: true }];
    ids.a = await dataset('Internal names A', { class: 'profile', fields: profileFields, identities, timestampField: '_fragment_time' });
    ids.b = await dataset('Internal names B', { class: 'profile', fields: profileFields, identities, timestampField: '_fragment_time' });
    ids.events = await dataset('Internal names events', { class: 'experienceEvent', fields: eventFields, identities });
    await ingest(ids.a, 'csv', 'fragment.csv', csvFile());
    await ingest(ids.a, 'json', 'fragment.ndjson', ndjsonFile());
    await ingest(ids.b, 'parquet', 'fragment.parquet', await parquetFile(t.dataDir));
    await ingest(ids.events, 'json', 'events.ndjson', eventFile(), 0);
    const policy = await send('POST', `${UPS}/config/mergePolicies`, {
      name: 'B first', schema: { name: '_xdm.context.profile' }, identityGraph: { type: 'pdg' }, attributeMerge: { type: 'dataSetPrecedence', order: [ids.b, ids.a] },
    });
    expect(policy.statusCode, policy.body).toBe(200);
    policies.bFirst = policy.json<{ id: string }>().id;
  });
  afterAll(async () => t?.close());

  it('tries every name the engine SQL uses, the former system columns among them', () => {
    expect(names).toEqual(expect.arrayContaining(['_file', '_row', '_prec', '_ds', '_identities', '_primary_id', '_batch_completed_at', '_rn', '_problem', '_record', '__profile', 'file_row_number', 'filename', 'json']));
  });

  it('merges timestampOrdered by the user timestampField and returns every value exactly', async () => {
    const [key, profile] = await lookup();
    expect(key).toBe('CRMID:P-1');
    expect(profile.sources).toEqual([ids.a, ids.b].sort());
    expect(profile.lastModifiedAt).toBe(TIMES.ndjson);
    expect(profile.entity).toEqual({ identities: [{ id: 'P-1', namespace: { code: 'CRMID' }, primary: true }], ...merged(['ndjson', 'parquet', 'csv']) });
  });

  it('merges dataSetPrecedence by the listed order, timestampOrdered within a dataset', async () => {
    const [key, profile] = await lookup(`&mergePolicyId=${policies.bFirst}`);
    expect(key).toBe('CRMID:P-1');
    expect(profile.entity).toEqual({ identities: [{ id: 'P-1', namespace: { code: 'CRMID' }, primary: true }], ...merged(['parquet', 'ndjson', 'csv']) });
  });

  it('keeps only the requested fields, whatever their names', async () => {
    const picked = ['_file', '__proto__', '_acme.__proto__', '_acme.tier', 'constructor'];
    const [, profile] = await lookup(`&fields=${picked.join(',')}`);
    expect(profile.entity).toEqual({ identities: [{ id: 'P-1', namespace: { code: 'CRMID' }, primary: true }], ...merged(['ndjson', 'parquet', 'csv'], picked) });
    expect(({} as Record<string, unknown>)['tier']).toBeUndefined();
  });

  it('returns event fields named like internal columns unchanged', async () => {
    const response = await send('GET', `${UPS}/access/entities?schema.name=_xdm.context.experienceevent&relatedSchema.name=_xdm.context.profile&relatedEntityId=P-1&relatedEntityIdNS=CRMID`);
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json<{ children: { entityId: string; timestamp: number; entity: Record<string, unknown> }[] }>();
    expect(page.children).toHaveLength(1);
    expect(page.children[0]).toEqual({ entityId: 'ev-1', timestamp: Date.parse('2026-01-09T08:00:00Z'), entity: nest(eventFields.map((field) => [field.path, valueOf('event', field.path)])) });
  });
});
