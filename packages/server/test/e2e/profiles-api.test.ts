// Datasets → batch ingestion → merge policies → profile lookup, over HTTP on both stores.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const CATALOG = '/data/foundation/catalog';
const IMPORT = '/data/foundation/import/batches';
const UPS = '/data/core/ups';

const crmSchema = {
  class: 'profile',
  fields: [
    { path: 'crmId', type: 'string', required: true },
    { path: 'person.name.firstName', type: 'string' },
    { path: 'personalEmail.address', type: 'string' },
    { path: 'loyalty.points', type: 'integer' },
    { path: 'updatedAt', type: 'date-time' },
  ],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }, { path: 'personalEmail.address', namespace: 'Email', primary: false }],
  timestampField: 'updatedAt',
};
const webSchema = {
  class: 'profile',
  fields: [{ path: 'ecid', type: 'string', required: true }, { path: 'personalEmail.address', type: 'string' }, { path: 'loyalty.points', type: 'integer' }],
  identities: [{ path: 'ecid', namespace: 'ECID', primary: true }, { path: 'personalEmail.address', namespace: 'Email', primary: false }],
};

describeOnEachStore('datasets, ingestion, merge policies and profile lookup', (storeEnv) => {
  let t: TestApp;
  let admin: TestCaller;
  const json = () => admin.headers({ 'content-type': 'application/json' });
  const post = (url: string, body: unknown) => t.inject({ method: 'POST', url, headers: json(), payload: JSON.stringify(body) });
  const get = (url: string) => t.inject({ method: 'GET', url, headers: admin.headers() });

  async function ingest(datasetId: string, fileName: string, content: string, extra: Record<string, unknown> = {}) {
    const created = await post(IMPORT, { datasetId, inputFormat: { format: 'csv' }, ...extra });
    expect(created.statusCode, created.body).toBe(201);
    const batchId = created.json<{ id: string }>().id;
    const upload = await t.inject({ method: 'PUT', url: `${IMPORT}/${batchId}/datasets/${datasetId}/files/${fileName}`, headers: admin.headers({ 'content-type': 'application/octet-stream' }), payload: content });
    expect(upload.statusCode, upload.body).toBe(200);
    expect((await t.inject({ method: 'POST', url: `${IMPORT}/${batchId}?action=COMPLETE`, headers: admin.headers() })).statusCode).toBe(200);
    await t.runtime.services.profilesModule.batches.whenIdle();
    return (await get(`${CATALOG}/batches/${batchId}`)).json<Record<string, Record<string, unknown>>>()[batchId] ?? {};
  }

  let crmId = '';
  let webId = '';

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    admin = await t.caller({ admin: true });
  });
  afterAll(async () => t.close());

  it('creates datasets and answers in the AEP catalog forms', async () => {
    const created = await post(`${CATALOG}/dataSets`, { name: 'CRM profiles', schema: crmSchema });
    expect(created.statusCode, created.body).toBe(201);
    const [ref] = created.json<string[]>();
    crmId = (ref ?? '').replace('@/dataSets/', '');
    expect(crmId).toMatch(/^[0-9a-f]{24}$/);
    webId = (await post(`${CATALOG}/dataSets`, { name: 'Web profiles', schema: webSchema })).json<string[]>()[0]?.replace('@/dataSets/', '') ?? '';
    const one = (await get(`${CATALOG}/dataSets/${crmId}`)).json<Record<string, Record<string, unknown>>>();
    expect(Object.keys(one)).toEqual([crmId]);
    expect(one[crmId]).toMatchObject({ name: 'CRM profiles', profileEnabled: true, sandboxName: 'prod', recordCount: 0, version: '1.0.0' });
    const conflict = await post(`${CATALOG}/dataSets`, { name: 'Other', schema: { ...webSchema, fields: [...webSchema.fields.slice(0, 2), { path: 'loyalty.points', type: 'string' }] } });
    expect(conflict.statusCode).toBe(400);
    // Both existing datasets declare it as integer; the message names one of them.
    expect(conflict.json<{ detail: string }>().detail).toMatch(new RegExp(`^Field loyalty\\.points is declared as integer in dataset (${crmId}|${webId})$`));
  });

  it('ingests a CSV batch and reports its rows', async () => {
    const batch = await ingest(crmId, 'crm.csv', [
      'crmId,person.name.firstName,personalEmail.address,loyalty.points,updatedAt',
      'C-1,Jane,Jane@Example.com,120,2026-01-10T10:00:00Z',
      'C-2,John,john@example.com,40,2026-01-11T10:00:00Z',
    ].join('\n'));
    expect(batch).toMatchObject({ status: 'success', recordCount: 2, metrics: { inputRecordCount: 2, outputRecordCount: 2, failedRecordCount: 0 } });
  });

  it('fails an atomic batch with a bad row, naming row and field, and keeps nothing', async () => {
    const batch = await ingest(crmId, 'bad.csv', ['crmId,loyalty.points', 'C-3,10', 'C-4,12.5'].join('\n'));
    expect(batch['status']).toBe('failed');
    expect(batch['failedRows']).toEqual([expect.objectContaining({ file: 'bad.csv', row: 2, field: 'loyalty.points', code: 'TYPE_MISMATCH' })]);
    const lookup = await get(`${UPS}/access/entities?schema.name=_xdm.context.profile&entityId=C-3&entityIdNS=CRMID`);
    expect(lookup.statusCode).toBe(404);
    const errors = await get(`/data/foundation/export/batches/${String(batch['id'])}/failed?path=errors.ndjson`);
    expect(errors.headers['content-type']).toContain('application/x-ndjson');
    expect(JSON.parse(errors.body.trim().split('\n')[0] ?? '{}')).toMatchObject({ file: 'bad.csv', row: 2, code: 'TYPE_MISMATCH' });
  });

  it('looks up a profile under the built-in policy (none) and, after a pdg default, stitched across datasets', async () => {
    await ingest(webId, 'web.csv', ['ecid,personalEmail.address,loyalty.points', 'E-9,jane@example.com,999'].join('\n'));
    const alone = await get(`${UPS}/access/entities?schema.name=_xdm.context.profile&entityId=C-1&entityIdNS=CRMID`);
    expect(alone.statusCode, alone.body).toBe(200);
    const profile = alone.json<Record<string, { entity: Record<string, unknown>; sources: string[] }>>()['CRMID:C-1'];
    // Attributes keep the value as ingested; only the Email identity is normalised (lower-cased).
    expect(profile?.entity).toMatchObject({ person: { name: { firstName: 'Jane' } }, personalEmail: { address: 'Jane@Example.com' }, loyalty: { points: 120 } });
    expect(profile?.sources).toEqual([crmId]);

    const policy = await post(`${UPS}/config/mergePolicies`, {
      name: 'Stitched, newest wins', schema: { name: '_xdm.context.profile' }, identityGraph: { type: 'pdg' }, attributeMerge: { type: 'timestampOrdered' }, default: true,
    });
    expect(policy.statusCode, policy.body).toBe(200);
    const policies = (await get(`${UPS}/config/mergePolicies`)).json<{ children: { id: string; default: boolean }[] }>().children;
    expect(policies.filter((p) => p.default).map((p) => p.id)).toEqual([policy.json<{ id: string }>().id]);

    const stitched = await get(`${UPS}/access/entities?schema.name=_xdm.context.profile&entityId=E-9&entityIdNS=ECID`);
    expect(stitched.statusCode, stitched.body).toBe(200);
    const [key, merged] = Object.entries(stitched.json<Record<string, { entity: { identities: { id: string }[]; loyalty: { points: number } }; sources: string[] }>>())[0] ?? [];
    expect(key).toBe('CRMID:C-1');
    expect(merged?.entity.identities.map((identity) => identity.id).sort()).toEqual(['C-1', 'E-9', 'jane@example.com']);
    expect(merged?.sources.sort()).toEqual([crmId, webId].sort());
  });

  it('refuses deleting the default merge policy and a dataset listed in a precedence order', async () => {
    const precedence = await post(`${UPS}/config/mergePolicies`, {
      name: 'CRM first', schema: { name: '_xdm.context.profile' }, identityGraph: { type: 'pdg' }, attributeMerge: { type: 'dataSetPrecedence', order: [crmId] },
    });
    expect(precedence.statusCode, precedence.body).toBe(200);
    const refused = await t.inject({ method: 'DELETE', url: `${CATALOG}/dataSets/${crmId}`, headers: admin.headers() });
    expect(refused.statusCode).toBe(400);
    const builtIn = await t.inject({ method: 'DELETE', url: `${UPS}/config/mergePolicies/timestampOrdered-none-mp`, headers: admin.headers() });
    expect(builtIn.statusCode).toBe(400);
    expect(builtIn.json<{ type: string }>().type).toBe('https://ns.adobe.com/aep/errors/UPAPI-1400-400');
  });
});
