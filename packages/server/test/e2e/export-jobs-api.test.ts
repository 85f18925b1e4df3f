// Export jobs (SPEC §5.9) over HTTP on both stores: members of audiences written into a dataset, lists, errors, cancel.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DuckDbDatabase } from '../../src/engine/duckdb/duckdb-database.js';
import { ingestionClient } from '../support/ingestion-client.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const UPS = '/data/core/ups';
const EXPORTS = `${UPS}/export/jobs`;
const PROFILE = { name: '_xdm.context.profile' };
const PERMISSION_MESSAGE =
  'You do not have sufficient permissions to perform the operation. Please contact your administrator to resolve permissions and try again.';

interface ExportJob {
  id: number; status: string; jobType: string; destination: { datasetId: string; segmentPerBatch: boolean; batchId: string };
  metrics: { totalExportedProfileCounter: number; exportedProfileByNamespaceCounter: Record<string, number> };
  errors: { code: string; msg: string }[]; filter: { segments: { segmentId: string; status: string[] }[] }; fields: string;
}

function expectUpsError(response: LightMyRequestResponse, status: number, message: string | RegExp): void {
  expect(response.statusCode, response.body).toBe(status);
  const title = response.json<{ title: string; type: string }>().title;
  expect(response.json<{ type: string }>().type).toBe(`https://ns.adobe.com/aep/errors/UPAPI-${1000 + status}-${status}`);
  if (typeof message === 'string') expect(title).toBe(message);
  else expect(title).toMatch(message);
}

describeOnEachStore('export jobs API', (storeEnv) => {
  let t: TestApp;
  let admin: TestCaller;
  let duck: DuckDbDatabase;
  let sandboxId = '';
  let crmId = '';
  let targetId = '';
  let over100 = '';
  let under110 = '';
  const json = () => admin.headers({ 'content-type': 'application/json' });
  const post = (url: string, body: unknown) => t.inject({ method: 'POST', url, headers: json(), payload: JSON.stringify(body) });
  const get = (url: string) => t.inject({ method: 'GET', url, headers: admin.headers() });
  const exportBody = (over: Record<string, unknown> = {}) => ({
    fields: 'crmId,points', schema: PROFILE, destination: { datasetId: targetId }, filter: { segments: [{ segmentId: over100 }] }, ...over,
  });
  /** Runs the queue until the export job is final, then lets its batches ingest. */
  const finished = async (id: number): Promise<ExportJob> => {
    for (let round = 0; round < 100; round += 1) {
      await t.runtime.worker.drain();
      const job = (await get(`${EXPORTS}/${id}`)).json<ExportJob>();
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status)) {
        await t.runtime.services.profilesModule.batches.whenIdle();
        return job;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`export job ${id} did not finish`);
  };
  /** `crmId|points` of every row a batch wrote into the lake, sorted. */
  const lakeRows = async (batchId: string): Promise<string[]> => {
    const dir = path.join(t.dataDir, 'lake', sandboxId, targetId, batchId);
    const parts = readdirSync(dir).filter((name) => name.endsWith('.parquet')).map((name) => `'${path.join(dir, name)}'`);
    const rows = await duck.query(`SELECT crmId AS c, points AS p FROM read_parquet([${parts.join(', ')}], union_by_name = true)`);
    return rows.map((row) => `${String(row['c'])}|${String(row['p'])}`).sort();
  };
  type Memberships = Record<string, { status: string; lastQualificationTime: string }>;
  /** crmId → the `segmentMembership.ups` the export wrote into the lake batch (system column, canonical JSON text). */
  const lakeMemberships = async (batchId: string): Promise<Record<string, Memberships>> => {
    const dir = path.join(t.dataDir, 'lake', sandboxId, targetId, batchId);
    const parts = readdirSync(dir).filter((name) => name.endsWith('.parquet')).map((name) => `'${path.join(dir, name)}'`);
    const rows = await duck.query(`SELECT crmId AS c, "$segment_membership" AS m FROM read_parquet([${parts.join(', ')}], union_by_name = true)`);
    return Object.fromEntries(rows.map((row) => [String(row['c']), (JSON.parse(String(row['m'])) as { ups: Memberships }).ups]));
  };
  /** The profile lookup's membership of `crmId` in `audienceId` (SPEC §5.3: from the latest snapshot). */
  const lookedUp = async (crmId: string, audienceId: string) => {
    const response = await get(`${UPS}/access/entities?schema.name=_xdm.context.profile&entityId=${crmId}&entityIdNS=CRMID`);
    expect(response.statusCode, response.body).toBe(200);
    const [profile] = Object.values(response.json<Record<string, { entity: { segmentMembership?: { ups: Memberships } } }>>());
    const membership = profile?.entity.segmentMembership?.ups[audienceId];
    expect(membership, `${crmId} in ${audienceId}`).toBeDefined();
    return membership;
  };
  /** Expected rows' memberships: each crmId's audiences, as the lookup gives them. */
  const expectedMemberships = async (audiencesOf: Record<string, string[]>): Promise<Record<string, Memberships>> => {
    const expected: Record<string, Memberships> = {};
    for (const [crm, audiences] of Object.entries(audiencesOf)) {
      expected[crm] = {};
      for (const id of audiences) expected[crm][id] = (await lookedUp(crm, id)) as Memberships[string];
    }
    return expected;
  };
  const audience = async (name: string, pql: string): Promise<string> => {
    const created = await post(`${UPS}/segment/definitions`, { name, schema: PROFILE, expression: { type: 'PQL', format: 'pql/text', value: pql } });
    expect(created.statusCode, created.body).toBe(200);
    return created.json<{ id: string }>().id;
  };

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    admin = await t.caller({ admin: true });
    duck = await DuckDbDatabase.open({ memoryLimitMb: 256, threads: 1, tempDirectory: path.join(t.dataDir, 'test-duck') });
    sandboxId = (await get('/data/foundation/sandbox-management/sandboxes/prod')).json<{ id: string }>().id;
    const client = ingestionClient(t, admin);
    crmId = await client.createDataset('CRM points');
    const batchId = await client.newBatch(crmId);
    const csv = ['crmId,points', 'C-1,120', 'C-2,40', 'C-3,500', 'C-4,100'].join('\n');
    const upload = await t.inject({ method: 'PUT', url: `/data/foundation/import/batches/${batchId}/datasets/${crmId}/files/crm.csv`, headers: admin.headers({ 'content-type': 'application/octet-stream' }), payload: csv });
    expect(upload.statusCode, upload.body).toBe(200);
    expect((await client.action(batchId, 'COMPLETE')).statusCode).toBe(200);
    await t.runtime.services.profilesModule.batches.whenIdle();
    const target = await post('/data/foundation/catalog/dataSets', {
      name: 'Export target', profileEnabled: false,
      schema: { class: 'profile', fields: [{ path: 'crmId', type: 'string' }, { path: 'points', type: 'integer' }], identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }] },
    });
    expect(target.statusCode, target.body).toBe(201);
    targetId = target.json<string[]>()[0]?.replace('@/dataSets/', '') ?? '';
    over100 = await audience('Over 100', 'points > 100');
    under110 = await audience('Under 110', 'points < 110');
  });
  afterAll(async () => {
    duck.close();
    await t.close();
  });

  it('refuses an audience without an evaluation yet, then exports its members into the dataset', async () => {
    expectUpsError(await post(EXPORTS, exportBody()), 400, `Audience ${over100} has no evaluation yet: run a segment job first, or set evaluationInfo.segmentation to true`);
    const segmentJob = await post(`${UPS}/segment/jobs`, [{ segmentId: over100 }, { segmentId: under110 }]);
    expect(segmentJob.statusCode, segmentJob.body).toBe(200);
    await t.runtime.services.segmentJobs.jobs.whenIdle();

    const created = await post(EXPORTS, exportBody());
    expect(created.statusCode, created.body).toBe(200);
    const job = created.json<ExportJob>();
    expect(job).toMatchObject({
      jobType: 'BATCH', status: 'NEW', fields: 'crmId,points', destination: { datasetId: targetId, segmentPerBatch: false },
      filter: { segments: [{ segmentId: over100, segmentNs: 'ups', status: ['realized', 'existing'] }], emptyProfiles: false },
      metrics: { totalExportedProfileCounter: 0 }, errors: [], profileInstanceId: 'ups', imsOrgId: t.config.orgId,
    });
    expect(Number.isSafeInteger(job.id)).toBe(true);
    const done = await finished(job.id);
    // points > 100: C-1 (120) and C-3 (500).
    expect(done).toMatchObject({ status: 'SUCCEEDED', metrics: { totalExportedProfileCounter: 2, exportedProfileByNamespaceCounter: { CRMID: 2 } } });
    const batch = (await get(`/data/foundation/catalog/batches/${job.destination.batchId}`)).json<Record<string, { status: string; recordCount: number }>>()[job.destination.batchId];
    expect(batch).toMatchObject({ status: 'success', recordCount: 2 });
    expect(await lakeRows(job.destination.batchId)).toEqual(['C-1|120', 'C-3|500']);
  });

  it('writes one batch per audience with segmentPerBatch, and unions audiences into one batch otherwise', async () => {
    const both = { segments: [{ segmentId: over100 }, { segmentId: under110 }] };
    const union = (await post(EXPORTS, exportBody({ filter: both }))).json<ExportJob>();
    const unionDone = await finished(union.id);
    expect(unionDone.metrics.totalExportedProfileCounter).toBe(4);
    expect(await lakeRows(union.destination.batchId)).toEqual(['C-1|120', 'C-2|40', 'C-3|500', 'C-4|100']);
    // Every row carries its audiences under segmentMembership.ups (the target declares no membership path).
    // points > 100 → over100, points < 110 → under110 (C-1 120, C-2 40, C-3 500, C-4 100), all realized.
    const unionMemberships = await lakeMemberships(union.destination.batchId);
    expect(unionMemberships).toEqual(await expectedMemberships({ 'C-1': [over100], 'C-2': [under110], 'C-3': [over100], 'C-4': [under110] }));
    for (const row of Object.values(unionMemberships)) expect(Object.values(row).map((m) => m.status)).toEqual(['realized']);

    const perBatch = await post(EXPORTS, exportBody({ filter: both, destination: { datasetId: targetId, segmentPerBatch: true } }));
    expect(perBatch.statusCode, perBatch.body).toBe(200);
    const perDone = await finished(perBatch.json<ExportJob>().id);
    expect(perDone.metrics.totalExportedProfileCounter).toBe(4);
    const batches = await t.runtime.store.sandbox(sandboxId).exportJobs.get(perDone.id);
    expect(batches?.batchIds).toHaveLength(2);
    expect(await lakeRows(batches?.batchIds[0] ?? '')).toEqual(['C-1|120', 'C-3|500']);
    expect(await lakeRows(batches?.batchIds[1] ?? '')).toEqual(['C-2|40', 'C-4|100']);
    expect(await lakeMemberships(batches?.batchIds[0] ?? '')).toEqual(await expectedMemberships({ 'C-1': [over100], 'C-3': [over100] }));
    expect(await lakeMemberships(batches?.batchIds[1] ?? '')).toEqual(await expectedMemberships({ 'C-2': [under110], 'C-4': [under110] }));
  });

  it('filters on status and on the qualification time window', async () => {
    // Every member is `realized` in the first snapshot: asking only for `existing` exports nobody.
    const existingOnly = (await post(EXPORTS, exportBody({ filter: { segments: [{ segmentId: over100, status: ['existing'] }] } }))).json<ExportJob>();
    expect((await finished(existingOnly.id)).metrics.totalExportedProfileCounter).toBe(0);
    const future = { startTime: '2099-01-01T00:00:00Z', endTime: '2099-02-01T00:00:00Z' };
    const outside = (await post(EXPORTS, exportBody({ filter: { segments: [{ segmentId: over100 }], segmentQualificationTime: future } }))).json<ExportJob>();
    expect((await finished(outside.id)).metrics.totalExportedProfileCounter).toBe(0);
    const around = { startTime: new Date(t.clock.now() - 60_000).toISOString(), endTime: new Date(t.clock.now() + 60_000).toISOString() };
    const inside = (await post(EXPORTS, exportBody({ filter: { segments: [{ segmentId: over100 }], segmentQualificationTime: around } }))).json<ExportJob>();
    expect((await finished(inside.id)).metrics.totalExportedProfileCounter).toBe(2);
  });

  it('runs a segment job first with evaluationInfo.segmentation', async () => {
    const fresh = await audience('Exactly 40', 'points = 40');
    const created = await post(EXPORTS, exportBody({ filter: { segments: [{ segmentId: fresh }] }, evaluationInfo: { segmentation: true } }));
    expect(created.statusCode, created.body).toBe(200);
    await t.runtime.services.segmentJobs.jobs.whenIdle();
    const done = await finished(created.json<ExportJob>().id);
    expect(done.status).toBe('SUCCEEDED');
    expect(await lakeRows(done.destination.batchId)).toEqual(['C-2|40']);
  });

  it('validates the request, saying what is wrong', async () => {
    expectUpsError(await post(EXPORTS, exportBody({ destination: {} })), 400, /destination\.datasetId is required/);
    expectUpsError(await post(EXPORTS, exportBody({ schema: undefined })), 400, /schema\.name is required and must be _xdm\.context\.profile/);
    expectUpsError(await post(EXPORTS, exportBody({ destination: { datasetId: crmId } })), 400, `destination.datasetId: dataset ${crmId} must be a profile dataset with profileEnabled false (exports never feed profiles back)`);
    expectUpsError(await post(EXPORTS, exportBody({ destination: { datasetId: 'ffffffffffffffffffffffff' } })), 400, 'destination.datasetId: dataset ffffffffffffffffffffffff not found in this sandbox');
    expectUpsError(await post(EXPORTS, exportBody({ fields: 'crmId,loyalty.tier' })), 400, `fields: loyalty.tier is not declared in dataset ${targetId}; add them to its schema or leave them out`);
    expectUpsError(await post(EXPORTS, exportBody({ filter: { segments: [] } })), 400, /^filter\.segments must list 1 to 100 audiences/);
    expectUpsError(await post(EXPORTS, exportBody({ filter: { segments: [{ segmentId: 'nope' }] } })), 400, 'filter.segments: segment definition nope not found in this sandbox');
    expectUpsError(await post(EXPORTS, exportBody({ filter: { segments: [{ segmentId: over100, status: ['gone'] }] } })), 400, /filter\.segments\[0\]\.status must list values among realized, existing, exited/);
    expectUpsError(await post(EXPORTS, exportBody({ filter: { segments: [{ segmentId: over100 }], segmentQualificationTime: { startTime: 'yesterday' } } })), 400, /startTime must be an ISO 8601 date-time/);
    expectUpsError(await post(EXPORTS, exportBody({ mergePolicy: { id: 'missing-mp' } })), 400, 'mergePolicy.id: merge policy missing-mp not found in this sandbox');
    expectUpsError(await get(`${EXPORTS}/999999`), 404, 'Export job 999999 not found');
    expectUpsError(await get(`${EXPORTS}/abc`), 404, 'Export job abc not found');
  });

  it('lists newest first with records/page/link and an offset cursor, filters by status, and cancels', async () => {
    const first = await t.inject({ method: 'GET', url: `${EXPORTS}?limit=2`, headers: admin.headers() });
    expect(first.statusCode, first.body).toBe(200);
    const page = first.json<{ records: ExportJob[]; page: { sortField: string; sort: string; pageOffset: string; pageSize: number }; link: { next?: string } }>();
    expect(page.records).toHaveLength(2);
    expect(page.page).toMatchObject({ sortField: 'createdTime', sort: 'desc', pageSize: 2 });
    const all = (await get(`${EXPORTS}?limit=100`)).json<{ records: ExportJob[]; link: Record<string, string> }>();
    expect(all.link).toEqual({});
    expect(all.records.map((r) => r.id)).toEqual([...all.records.map((r) => r.id)].sort((a, b) => b - a));
    expect(page.link.next).toBe(`/export/jobs/?limit=2&offset=${page.page.pageOffset}`);
    const second = (await get(`${EXPORTS}?limit=2&offset=${page.page.pageOffset}`)).json<{ records: ExportJob[] }>();
    expect(second.records.map((r) => r.id)).toEqual(all.records.slice(2, 4).map((r) => r.id));
    expectUpsError(await get(`${EXPORTS}?offset=garbage`), 400, /^Invalid offset "garbage"/);
    // offset=0, as clients that page by number send it, is the first page.
    expect((await get(`${EXPORTS}?limit=2&offset=0`)).json<{ records: ExportJob[] }>().records.map((r) => r.id)).toEqual(page.records.map((r) => r.id));
    expect((await get(`${EXPORTS}?status=FAILED`)).json<{ records: unknown[] }>().records).toEqual([]);

    // A job still NEW (recorded but not queued yet, so the worker cannot finish it before the DELETE arrives).
    const scope = t.runtime.store.sandbox(sandboxId);
    const template = await scope.exportJobs.get(all.records[0]?.id ?? 0);
    const loading = await t.runtime.services.profilesModule.batches.create(scope, { datasetId: targetId, format: 'json', errorThreshold: undefined }, 'test');
    if (template === undefined) throw new Error('no export job to copy');
    const { id: _id, ...copy } = template;
    const stored = await scope.exportJobs.create({ ...copy, status: 'NEW', batchIds: [loading.id], metrics: null, createdAt: t.clock.now(), updatedAt: t.clock.now() });
    const pending = (await get(`${EXPORTS}/${stored.id}`)).json<ExportJob>();
    expect(pending.status).toBe('NEW');
    const cancel = await t.inject({ method: 'DELETE', url: `${EXPORTS}/${pending.id}`, headers: admin.headers() });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(cancel.json()).toEqual({ status: true, message: 'Export job has been marked for cancelling' });
    const ended = await finished(pending.id);
    expect(ended.status).toBe('CANCELLED');
    const batch = (await get(`/data/foundation/catalog/batches/${pending.destination.batchId}`)).json<Record<string, { status: string }>>()[pending.destination.batchId];
    expect(batch?.status).toBe('aborted');
    expectUpsError(await t.inject({ method: 'DELETE', url: `${EXPORTS}/${pending.id}`, headers: admin.headers() }), 400, `Export job ${pending.id} has already ended (CANCELLED) and cannot be cancelled`);
  });

  it('queues again at start-up an export job left NEW without its durable job', async () => {
    const scope = t.runtime.store.sandbox(sandboxId);
    const [template] = await scope.exportJobs.list({ statuses: ['SUCCEEDED'], limit: 1 });
    if (template === undefined) throw new Error('no export job to copy');
    const loading = await t.runtime.services.profilesModule.batches.create(scope, { datasetId: targetId, format: 'json', errorThreshold: undefined }, 'test');
    const { id: _id, ...copy } = template;
    const orphan = await scope.exportJobs.create({ ...copy, request: { ...(copy.request as object), segments: [{ segmentId: over100, segmentNs: 'ups', status: ['realized', 'existing'] }], destination: { datasetId: targetId, segmentPerBatch: false } }, status: 'NEW', batchIds: [loading.id], metrics: null, segmentJobId: null });
    expect(await t.runtime.services.exports.service.resumeOrphans(scope)).toBe(1);
    const done = await finished(orphan.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(await lakeRows(loading.id)).toEqual(['C-1|120', 'C-3|500']);
  });

  it('requires View Segments to read and Manage Segments with Manage Datasets to create or cancel', async () => {
    const reader = await t.caller({ roles: ['Read only'], name: 'export-reader' });
    expect((await t.inject({ method: 'GET', url: EXPORTS, headers: reader.headers() })).statusCode).toBe(200);
    const refused = await t.inject({ method: 'POST', url: EXPORTS, headers: reader.headers({ 'content-type': 'application/json' }), payload: JSON.stringify(exportBody()) });
    expectUpsError(refused, 403, PERMISSION_MESSAGE);
    expect(refused.headers['x-activator-missing-permissions']).toBe('Manage Segments,Manage Datasets');
  });
});
