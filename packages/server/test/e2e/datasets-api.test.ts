// Catalog datasets and batches (SPEC §3.1–3.4) over HTTP: CRUD on both stores, then event ingestion in every input format.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbDatabase } from '../../src/engine/duckdb/duckdb-database.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const CATALOG = '/data/foundation/catalog';
const IMPORT = '/data/foundation/import/batches';

type Keyed = Record<string, Record<string, unknown>>;

const crmSchema = {
  class: 'profile',
  fields: [
    { path: 'crmId', type: 'string', required: true },
    { path: 'person.name.firstName', type: 'string' },
    { path: 'personalEmail.address', type: 'string' },
    { path: 'loyalty.points', type: 'integer' },
    { path: 'preferences.channels', type: 'array', items: 'string' },
    { path: 'updatedAt', type: 'date-time' },
  ],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }, { path: 'personalEmail.address', namespace: 'Email', primary: false }],
  timestampField: 'updatedAt',
};
const crmCsv = [
  'crmId,person.name.firstName,personalEmail.address,loyalty.points,preferences.channels,updatedAt',
  'C-1,Jane,jane@example.com,120,"[""email"",""sms""]",2026-01-10T10:00:00Z',
  'C-2,John,john@example.com,40,,2026-01-11T10:00:00Z',
  'C-3,Ada,,7,[],',
].join('\n');
const eventSchema = {
  class: 'experienceEvent',
  fields: [{ path: 'appUserId', type: 'string' }, { path: 'eventType', type: 'string' }, { path: 'web.pageName', type: 'string' }, { path: 'value', type: 'number' }],
  identities: [{ path: 'appUserId', namespace: 'appId', primary: true }],
};

/** The `problem` envelope of SPEC §1.4 with a CAT code; returns `detail`. */
function expectCatalogProblem(response: LightMyRequestResponse, status: number): string {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json<{ type: string; title: string; status: number; detail: string; requestId: string }>();
  expect(body).toMatchObject({ type: `https://ns.adobe.com/aep/errors/CAT-${1000 + status}-${status}`, status, requestId: response.headers['x-request-id'] });
  expect(body.title).toEqual(expect.any(String));
  return body.detail;
}

/** HTTP helpers shared by both suites of this file. */
function catalogClient(app: () => TestApp, caller: () => TestCaller) {
  const headers = (sandbox?: string, extra: Record<string, string> = {}) => caller().headers({ ...(sandbox === undefined ? {} : { 'x-sandbox-name': sandbox }), ...extra });
  const send = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, sandbox?: string) =>
    app().inject({ method, url, headers: headers(sandbox, body === undefined ? {} : { 'content-type': 'application/json' }), ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  const createDataset = async (body: Record<string, unknown>, sandbox?: string): Promise<string> => {
    const response = await send('POST', `${CATALOG}/dataSets`, body, sandbox);
    expect(response.statusCode, response.body).toBe(201);
    const refs = response.json<string[]>();
    expect(refs).toEqual([expect.stringMatching(/^@\/dataSets\/[0-9a-f]{24}$/)]);
    return (refs[0] ?? '').replace('@/dataSets/', '');
  };
  /** Create → upload one file → COMPLETE → wait; returns the keyed batch's inner object. Each batch is created a second after the last. */
  const ingest = async (datasetId: string, format: string, fileName: string, content: string | Buffer): Promise<Record<string, unknown>> => {
    app().clock.advance(1000);
    const created = await send('POST', IMPORT, { datasetId, inputFormat: { format } });
    expect(created.statusCode, created.body).toBe(201);
    const batchId = created.json<{ id: string }>().id;
    const upload = await app().inject({ method: 'PUT', url: `${IMPORT}/${batchId}/datasets/${datasetId}/files/${fileName}`, headers: headers(undefined, { 'content-type': 'application/octet-stream' }), payload: content });
    expect(upload.statusCode, upload.body).toBe(200);
    expect((await send('POST', `${IMPORT}/${batchId}?action=COMPLETE`)).statusCode).toBe(200);
    await app().runtime.services.profilesModule.batches.whenIdle();
    return (await send('GET', `${CATALOG}/batches/${batchId}`)).json<Keyed>()[batchId] ?? {};
  };
  const dataset = async (id: string): Promise<Record<string, unknown>> => (await send('GET', `${CATALOG}/dataSets/${id}`)).json<Keyed>()[id] ?? {};
  return { send, createDataset, ingest, dataset };
}

describeOnEachStore('catalog datasets API', (storeEnv) => {
  let t: TestApp;
  let admin: TestCaller;
  let prodId = '';
  const { send, createDataset, ingest, dataset } = catalogClient(() => t, () => admin);
  const names = async (query: string, sandbox: string) => {
    const response = await send('GET', `${CATALOG}/dataSets${query}`, undefined, sandbox);
    expect(response.statusCode, response.body).toBe(200);
    return Object.values(response.json<Keyed>()).map((d) => d['name']);
  };

  let crmId = '';
  let firstBatch = '';

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    admin = await t.caller({ admin: true });
    prodId = (await send('GET', '/data/foundation/sandbox-management/sandboxes/prod')).json<{ id: string }>().id;
  });
  afterAll(async () => t.close());

  it('creates a dataset with 201 ["@/dataSets/<id>"] and reads it back keyed by id', async () => {
    crmId = await createDataset({ name: 'CRM profiles', description: 'Nightly CRM extract', profileEnabled: true, schema: crmSchema });
    const response = await send('GET', `${CATALOG}/dataSets/${crmId}`);
    expect(response.statusCode).toBe(200);
    const body = response.json<Keyed>();
    expect(Object.keys(body)).toEqual([crmId]);
    expect(body[crmId]).toMatchObject({
      name: 'CRM profiles', description: 'Nightly CRM extract', imsOrg: t.config.orgId, sandboxName: 'prod', profileEnabled: true,
      schema: { class: 'profile', identities: crmSchema.identities, timestampField: 'updatedAt' },
      created: t.clock.now(), updated: t.clock.now(), createdUser: admin.clientId, recordCount: 0, version: '1.0.0',
    });
    const fields = (body[crmId]?.['schema'] as { fields: { path: string; type: string; required?: boolean }[] }).fields;
    expect(fields.map((f) => [f.path, f.type, f.required === true])).toEqual(crmSchema.fields.map((f) => [f.path, f.type, f.required === true]));
    expect(body[crmId]).not.toHaveProperty('lastBatchId');
  });

  it('refuses an invalid schema with CAT-1400-400, the detail naming every problem', async () => {
    const response = await send('POST', `${CATALOG}/dataSets`, {
      name: 'Broken',
      schema: {
        class: 'profile',
        fields: [
          { path: 'person..name', type: 'string' },
          { path: 'age', type: 'long' },
          { path: 'tags', type: 'array' },
          { path: 'identityMap', type: 'string' },
          { path: 'customerId', type: 'string' },
        ],
        identities: [{ path: 'email', namespace: 'Email', primary: true }, { path: 'customerId', namespace: '1bad', primary: false }],
        timestampField: 'customerId',
      },
    });
    const detail = expectCatalogProblem(response, 400);
    for (const culprit of ['person..name', 'long', 'tags', 'identityMap', 'email', '1bad', 'timestampField']) expect(detail).toContain(culprit);
    expect(expectCatalogProblem(await send('POST', `${CATALOG}/dataSets`, { name: 'No class', schema: { class: 'lookup', fields: [{ path: 'a', type: 'string' }] } }), 400)).toContain('lookup');
    const twoPrimaries = { class: 'profile', fields: [{ path: 'a', type: 'string' }, { path: 'b', type: 'string' }], identities: [{ path: 'a', namespace: 'CRMID', primary: true }, { path: 'b', namespace: 'ECID', primary: true }] };
    expect(expectCatalogProblem(await send('POST', `${CATALOG}/dataSets`, { name: 'Two primaries', schema: twoPrimaries }), 400)).toContain('primary');
    const conflict = await send('POST', `${CATALOG}/dataSets`, { name: 'Clash', schema: { ...crmSchema, fields: [crmSchema.fields[0], { path: 'loyalty.points', type: 'number' }], identities: [crmSchema.identities[0]], timestampField: undefined } });
    expect(expectCatalogProblem(conflict, 400)).toBe(`Field loyalty.points is declared as integer in dataset ${crmId}`);
    expect(await names('', 'prod')).toEqual(['CRM profiles']);
  });

  it('reports recordCount, lastBatchId and lastBatchStatus after batches, and lists batches by dataset and status', async () => {
    const ok = await ingest(crmId, 'csv', 'crm.csv', crmCsv);
    expect(ok).toMatchObject({ status: 'success', recordCount: 3, relatedObjects: [{ type: 'dataSet', id: crmId }], metrics: { inputRecordCount: 3, outputRecordCount: 3, failedRecordCount: 0 } });
    firstBatch = String(ok['id']);
    expect(await dataset(crmId)).toMatchObject({ recordCount: 3, lastBatchId: firstBatch, lastBatchStatus: 'success' });

    const bad = await ingest(crmId, 'csv', 'bad.csv', 'crmId,loyalty.points\nC-4,many\n');
    expect(bad['status']).toBe('failed');
    expect(await dataset(crmId)).toMatchObject({ recordCount: 3, lastBatchId: bad['id'], lastBatchStatus: 'failed' });

    const keysOf = async (query: string) => Object.keys((await send('GET', `${CATALOG}/batches${query}`)).json<Keyed>());
    expect(await keysOf(`?dataSet=${crmId}&status=success`)).toEqual([firstBatch]);
    expect(await keysOf(`?dataSet=${crmId}&status=failed`)).toEqual([bad['id']]);
    expect((await keysOf(`?dataSet=${crmId}`)).sort()).toEqual([firstBatch, String(bad['id'])].sort());
    expect(await keysOf(`?dataSet=${crmId}&status=aborted`)).toEqual([]);
    expect(await keysOf('?dataSet=ffffffffffffffffffffffff')).toEqual([]);
  });

  it('lists datasets with limit, start, orderBy (name, -created), an exact name and a schema.class property filter', async () => {
    expect((await send('POST', '/data/foundation/sandbox-management/sandboxes', { name: 'cat-list', title: 'Catalog lists', type: 'development' })).statusCode).toBe(201);
    const profile = { class: 'profile', fields: [{ path: 'userId', type: 'string' }], identities: [{ path: 'userId', namespace: 'CRMID', primary: true }] };
    const events = { ...profile, class: 'experienceEvent' };
    for (const [name, schema] of [['Charlie', profile], ['Alpha events', events], ['Delta events', events], ['Bravo', profile]] as const) {
      await createDataset({ name, schema }, 'cat-list');
      t.clock.advance(1000);
    }
    expect(await names('', 'cat-list')).toEqual(['Bravo', 'Delta events', 'Alpha events', 'Charlie']);
    expect(await names('?orderBy=-created', 'cat-list')).toEqual(['Bravo', 'Delta events', 'Alpha events', 'Charlie']);
    expect(await names('?orderBy=created', 'cat-list')).toEqual(['Charlie', 'Alpha events', 'Delta events', 'Bravo']);
    expect(await names('?orderBy=name', 'cat-list')).toEqual(['Alpha events', 'Bravo', 'Charlie', 'Delta events']);
    expect(await names('?orderBy=-name', 'cat-list')).toEqual(['Delta events', 'Charlie', 'Bravo', 'Alpha events']);
    expect(await names('?orderBy=name&limit=2', 'cat-list')).toEqual(['Alpha events', 'Bravo']);
    expect(await names('?orderBy=name&limit=2&start=1', 'cat-list')).toEqual(['Bravo', 'Charlie']);
    expect(await names('?orderBy=-created&limit=2&start=2', 'cat-list')).toEqual(['Alpha events', 'Charlie']);
    expect(await names('?start=4', 'cat-list')).toEqual([]);
    expect(await names('?name=Bravo', 'cat-list')).toEqual(['Bravo']);
    expect(await names('?name=bravo', 'cat-list')).toEqual([]);
    expect(await names('?name=Brav', 'cat-list')).toEqual([]);
    expect(await names('?property=schema.class==experienceEvent&orderBy=name', 'cat-list')).toEqual(['Alpha events', 'Delta events']);
    expect(await names('?property=schema.class==profile&orderBy=name', 'cat-list')).toEqual(['Bravo', 'Charlie']);
    // Datasets of another sandbox are not listed, and prod's are not listed here.
    expect(await names('?name=CRM%20profiles', 'cat-list')).toEqual([]);
    const elsewhere = await send('GET', `${CATALOG}/dataSets/${crmId}`, undefined, 'cat-list');
    expect(expectCatalogProblem(elsewhere, 404)).toBe(`Dataset ${crmId} not found`);
    // SPEC §1.4's example, title included.
    expect(elsewhere.json()).toMatchObject({ type: 'https://ns.adobe.com/aep/errors/CAT-1404-404', title: 'Dataset not found', status: 404 });
  });

  it('appends a non-required field with PATCH but refuses changing a field or adding a required one', async () => {
    t.clock.advance(1000);
    const appended = await send('PATCH', `${CATALOG}/dataSets/${crmId}`, { schema: { fields: [{ path: 'loyalty.tier', type: 'string' }] } });
    expect(appended.statusCode, appended.body).toBe(200);
    const after = await dataset(crmId);
    expect((after['schema'] as { fields: { path: string }[] }).fields.map((f) => f.path)).toEqual([...crmSchema.fields.map((f) => f.path), 'loyalty.tier']);
    expect(after['updated']).toBe(t.clock.now());
    expect(after['created']).toBeLessThan(t.clock.now());
    // The appended field is ingestible at once; the earlier batch simply lacks it.
    const batch = await ingest(crmId, 'csv', 'tiers.csv', 'crmId,loyalty.tier\nC-1,gold\n');
    expect(batch).toMatchObject({ status: 'success', recordCount: 1 });

    const unchangedPlusNew = await send('PATCH', `${CATALOG}/dataSets/${crmId}`, { schema: { fields: [{ path: 'loyalty.tier', type: 'string' }, { path: 'loyalty.since', type: 'date' }] } });
    expect(unchangedPlusNew.statusCode, unchangedPlusNew.body).toBe(200);

    const changed = await send('PATCH', `${CATALOG}/dataSets/${crmId}`, { schema: { fields: [{ path: 'loyalty.points', type: 'string' }] } });
    expect(expectCatalogProblem(changed, 400)).toContain('loyalty.points');
    const required = await send('PATCH', `${CATALOG}/dataSets/${crmId}`, { schema: { fields: [{ path: 'loyalty.status', type: 'string', required: true }] } });
    expect(expectCatalogProblem(required, 400)).toContain('loyalty.status');
    const fieldsNow = ((await dataset(crmId))['schema'] as { fields: { path: string; type: string }[] }).fields;
    expect(fieldsNow.find((f) => f.path === 'loyalty.points')?.type).toBe('integer');
    expect(fieldsNow.map((f) => f.path)).not.toContain('loyalty.status');
    expectCatalogProblem(await send('PATCH', `${CATALOG}/dataSets/ffffffffffffffffffffffff`, { schema: { fields: [] } }), 404);
  });

  it('deletes a dataset with 200 ["@/dataSets/<id>"], removing its batches and lake files; it is then not found', async () => {
    const lakeDir = path.join(t.dataDir, 'lake', prodId, crmId);
    expect(existsSync(path.join(lakeDir, firstBatch))).toBe(true);
    const deleted = await send('DELETE', `${CATALOG}/dataSets/${crmId}`);
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toEqual([`@/dataSets/${crmId}`]);
    expect(existsSync(lakeDir)).toBe(false);
    expect(expectCatalogProblem(await send('GET', `${CATALOG}/dataSets/${crmId}`), 404)).toBe(`Dataset ${crmId} not found`);
    expect(await names('', 'prod')).toEqual([]);
    expect((await send('GET', `${CATALOG}/batches?dataSet=${crmId}`)).json()).toEqual({});
    expectCatalogProblem(await send('GET', `${CATALOG}/batches/${firstBatch}`), 404);
    expect(expectCatalogProblem(await send('DELETE', `${CATALOG}/dataSets/${crmId}`), 404)).toBe(`Dataset ${crmId} not found`);
    // The lookup no longer finds the deleted dataset's profiles.
    const lookup = await send('GET', '/data/core/ups/access/entities?schema.name=_xdm.context.profile&entityId=C-1&entityIdNS=CRMID');
    expect(lookup.statusCode).toBe(404);
  });
});

describe('event dataset ingestion in every input format', () => {
  let t: TestApp;
  let admin: TestCaller;
  let scratch = '';
  let eventsId = '';
  const { send, createDataset, ingest, dataset } = catalogClient(() => t, () => admin);
  const successes: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
    scratch = mkdtempSync(path.join(os.tmpdir(), 'activator-parquet-'));
    eventsId = await createDataset({ name: 'Web events', schema: eventSchema });
  });
  afterAll(async () => {
    await t.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const expectSuccess = (batch: Record<string, unknown>, fileName: string, rows: number) => {
    expect(batch, JSON.stringify(batch)).toMatchObject({
      status: 'success', recordCount: rows, files: [{ name: fileName, records: rows }],
      metrics: { inputRecordCount: rows, outputRecordCount: rows, failedRecordCount: 0 }, errors: [], failedRows: [],
    });
    successes.push(String(batch['id']));
  };

  it('gives an experienceEvent dataset the implicit timestamp and _id fields', async () => {
    const shown = await dataset(eventsId);
    expect(shown['schema']).toMatchObject({ class: 'experienceEvent' });
    // Declaring a field at an implicit path is refused (it would be declared twice).
    const clash = await send('POST', `${CATALOG}/dataSets`, { name: 'Double time', schema: { ...eventSchema, fields: [...eventSchema.fields, { path: 'timestamp', type: 'date-time' }] } });
    expect(expectCatalogProblem(clash, 400)).toContain('timestamp');
  });

  it('ingests newline-delimited JSON with nested objects, dotted keys and _id', async () => {
    const ndjson = [
      '{"_id": "ev-1", "timestamp": "2026-01-10T08:00:00Z", "appUserId": "A-1", "eventType": "pageView", "web": {"pageName": "home"}, "value": 1.5}',
      '',
      '{"timestamp": "2026-01-11T08:00:00+02:00", "appUserId": "A-1", "eventType": "purchase", "web.pageName": "checkout", "value": 20}',
      '{"_id": "ev-3", "timestamp": "2026-01-12T08:00:00.250Z", "appUserId": "A-2", "eventType": "pageView"}',
    ].join('\n');
    expectSuccess(await ingest(eventsId, 'json', 'events.ndjson', ndjson), 'events.ndjson', 3);
  });

  it('ingests a JSON array, with isMultiLineJson-style formatting', async () => {
    const array = JSON.stringify([
      { _id: 'ev-4', timestamp: '2026-01-13T08:00:00Z', appUserId: 'A-1', eventType: 'pageView', web: { pageName: 'cart' } },
      { timestamp: '2026-01-14T08:00:00Z', identityMap: { appId: [{ id: 'A-3', primary: true }] }, eventType: 'login' },
    ], null, 2);
    expectSuccess(await ingest(eventsId, 'JSON', 'events.json', `  \n${array}`), 'events.json', 2);
  });

  it('rejects an event without a timestamp as MISSING_TIMESTAMP and keeps nothing of that batch', async () => {
    const batch = await ingest(eventsId, 'json', 'untimed.ndjson', '{"timestamp": "2026-01-15T08:00:00Z", "appUserId": "A-1"}\n{"appUserId": "A-1", "eventType": "ghost"}\n');
    expect(batch).toMatchObject({ status: 'failed', metrics: { inputRecordCount: 2, outputRecordCount: 0, failedRecordCount: 1 } });
    expect(batch['failedRows']).toEqual([expect.objectContaining({ file: 'untimed.ndjson', row: 2, code: 'MISSING_TIMESTAMP' })]);
  });

  it('ingests a Parquet file written by DuckDB, with a struct column mapping to nested paths', async () => {
    const file = path.join(scratch, 'events.parquet');
    const database = await DuckDbDatabase.open({ memoryLimitMb: 256, threads: 1, tempDirectory: path.join(scratch, 'spill') });
    try {
      await database.query(
        `COPY (SELECT * FROM (VALUES
           ('ev-p1', TIMESTAMP '2026-01-16 08:00:00', 'A-1', 'pageView', {'pageName': 'home'}, 2.5::DOUBLE),
           ('ev-p2', TIMESTAMP '2026-01-16 09:00:00', 'A-2', 'purchase', {'pageName': 'checkout'}, 99.0::DOUBLE),
           (NULL, TIMESTAMP '2026-01-16 10:00:00', 'A-1', 'pageView', NULL, NULL)
         ) AS t("_id", "timestamp", "appUserId", "eventType", "web", "value"))
         TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`,
      );
    } finally {
      database.close();
    }
    expectSuccess(await ingest(eventsId, 'parquet', 'events.parquet', readFileSync(file)), 'events.parquet', 3);
  });

  it('ingests a gzip-compressed CSV, detected by its magic bytes whatever the file name', async () => {
    const csv = [
      'appUserId,timestamp,eventType,web.pageName,value,_id',
      'A-1,2026-01-17T08:00:00Z,pageView,home,1,ev-c1',
      'A-2,2026-01-17T09:00:00Z,pageView,,,',
      'A-3,2026-01-17T10:00:00Z,purchase,checkout,12.5,ev-c3',
      'A-1,2026-01-17T11:00:00Z,logout,,,',
    ].join('\r\n');
    expectSuccess(await ingest(eventsId, 'csv', 'events.csv', gzipSync(Buffer.from(csv))), 'events.csv', 4);
  });

  it('counts every successful batch of the dataset and lists them by status', async () => {
    expect(await dataset(eventsId)).toMatchObject({ recordCount: 3 + 2 + 3 + 4, lastBatchId: successes.at(-1), lastBatchStatus: 'success' });
    const listed = (await send('GET', `${CATALOG}/batches?dataSet=${eventsId}&status=success`)).json<Keyed>();
    expect(Object.keys(listed).sort()).toEqual([...successes].sort());
    expect(Object.keys((await send('GET', `${CATALOG}/batches?dataSet=${eventsId}&status=failed`)).json<Keyed>())).toHaveLength(1);
  });
});
