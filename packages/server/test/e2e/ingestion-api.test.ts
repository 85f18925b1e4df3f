// Batch ingestion over HTTP: uploads cut short, size limits, COMPLETE twice, ABORT, partial ingestion, error downloads, crash recovery.
import { request as httpRequest } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';
import { CATALOG, CRM_POINTS_SCHEMA as schema, IMPORT, ingestionClient } from '../support/ingestion-client.js';


describe('batch ingestion over HTTP', () => {
  let t: TestApp;
  let admin: TestCaller;
  let url: string;
  let datasetId: string;
  const json = () => admin.headers({ 'content-type': 'application/json' });

  let http: ReturnType<typeof ingestionClient>;
  const newBatch = (extra: Record<string, unknown> = {}) => http.newBatch(datasetId, 'CSV', extra);
  const upload = (batchId: string, name: string, payload: string) =>
    t.inject({ method: 'PUT', url: `${IMPORT}/${batchId}/datasets/${datasetId}/files/${name}`, headers: admin.headers({ 'content-type': 'text/csv' }), payload });
  const action = (batchId: string, verb: string) => http.action(batchId, verb);
  const batchOf = (batchId: string) => http.batchOf(batchId);

  beforeAll(async () => {
    t = await createTestApp({ ACTIVATOR_MAX_UPLOAD_BYTES: '4096' });
    admin = await t.caller({ admin: true });
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    http = ingestionClient(t, admin);
    datasetId = await http.createDataset('Loyalty');
  });
  afterAll(async () => t.close());

  it('drops an upload that ends before its declared 2 GB, keeping nothing staged', async () => {
    const batchId = await newBatch();
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(`${url}${IMPORT}/${batchId}/datasets/${datasetId}/files/big.csv`, {
        method: 'PUT', headers: { ...admin.headers(), 'content-type': 'application/octet-stream', 'content-length': String(2 * 1024 ** 3) },
      });
      req.on('response', (response) => resolve(`status ${response.statusCode ?? 0}`));
      req.on('error', (error) => resolve(`error ${error.message}`));
      req.write('crmId,points\nC-1,1\n');
      setTimeout(() => req.destroy(), 200);
    });
    expect(outcome).toMatch(/^(status 413|error )/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await batchOf(batchId))['files']).toEqual([]);
    const staging = path.join(t.dataDir, 'staging', batchId);
    expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
  });

  it('refuses a file over ACTIVATOR_MAX_UPLOAD_BYTES with 413 in the INGEST problem envelope', async () => {
    const batchId = await newBatch();
    const response = await upload(batchId, 'large.csv', `crmId,points\n${'C-1,1\n'.repeat(1000)}`);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ type: 'https://ns.adobe.com/aep/errors/INGEST-1413-413', status: 413 });
    expect((await batchOf(batchId))['files']).toEqual([]);
  });

  it('refuses file names with a slash or control character', async () => {
    const batchId = await newBatch();
    const response = await upload(batchId, 'bad%01name.csv', 'crmId\nC-1\n');
    expect(response.statusCode).toBe(400);
    expect(response.json<{ detail: string }>().detail).toContain('must not contain /, \\ or control characters');
  });

  it('treats a second COMPLETE as harmless and refuses uploads after completion', async () => {
    const batchId = await newBatch();
    expect((await upload(batchId, 'one.csv', 'crmId,points\nC-1,5\n')).statusCode).toBe(200);
    expect((await action(batchId, 'COMPLETE')).statusCode).toBe(200);
    expect((await action(batchId, 'complete')).statusCode).toBe(200);
    await t.runtime.services.profilesModule.batches.whenIdle();
    const done = await batchOf(batchId);
    expect(done, JSON.stringify(done)).toMatchObject({ status: "success", recordCount: 1 });
    const late = await upload(batchId, 'two.csv', 'crmId\nC-2\n');
    expect(late.statusCode).toBe(400);
    expect(late.json<{ detail: string }>().detail).toContain('files can only be uploaded while it is loading');
  });

  it('aborts a loading batch and keeps nothing', async () => {
    const batchId = await newBatch();
    await upload(batchId, 'one.csv', 'crmId,points\nC-9,5\n');
    expect((await action(batchId, 'ABORT')).statusCode).toBe(200);
    expect((await batchOf(batchId))['status']).toBe('aborted');
    expect((await action(batchId, 'ABORT')).statusCode).toBe(400);
  });

  it('keeps the valid rows under partial ingestion and serves the error and rejected-row files', async () => {
    const batchId = await newBatch({ partialIngestion: { errorThreshold: 50 } });
    await upload(batchId, 'mixed.csv', 'crmId,points\nC-10,1\nC-11,x\nC-12,3\n');
    await action(batchId, 'COMPLETE');
    await t.runtime.services.profilesModule.batches.whenIdle();
    const batch = await batchOf(batchId);
    expect(batch).toMatchObject({ status: 'success', metrics: { inputRecordCount: 3, outputRecordCount: 2, failedRecordCount: 1 }, partialIngestion: { errorThreshold: 50 } });
    expect(batch['errors']).toEqual([{ code: 'TYPE_MISMATCH', description: '1 row rejected', rows: 1 }]);
    const listing = (await t.inject({ method: 'GET', url: `/data/foundation/export/batches/${batchId}/failed`, headers: admin.headers() })).json<{ data: { name: string }[] }>();
    expect(listing.data.map((file) => file.name)).toEqual(['errors.ndjson', 'rejected.ndjson']);
    const rejected = await t.inject({ method: 'GET', url: `/data/foundation/export/batches/${batchId}/failed?path=rejected.ndjson`, headers: admin.headers() });
    expect(JSON.parse(rejected.body.trim())).toMatchObject({ file: 'mixed.csv', row: 2, record: { crmId: 'C-11', points: 'x' } });
    const errors = await t.inject({ method: 'GET', url: `/data/foundation/export/batches/${batchId}/failed?path=errors.ndjson`, headers: admin.headers() });
    expect(errors.body).not.toContain('"x"');
  });

  it('fails a batch whose ingestion was cut off (its worker stopped heartbeating) with INGESTION_INTERRUPTED as a batch error, not a rejected row', async () => {
    const batchId = await newBatch();
    expect((await upload(batchId, 'cut.csv', 'crmId,points\nC-90,1\n')).statusCode).toBe(200);
    const scope = t.runtime.store.sandbox((await t.runtime.store.sandboxes.getByName('prod'))?.id ?? '');
    // A process completed the batch and claimed its job, then died: the batch is processing under a lease nobody renews.
    const stored = await scope.batches.get(batchId);
    await scope.batches.replace(batchId, stored?.etag ?? '', { ...(stored as NonNullable<typeof stored>), status: 'processing', etag: '"crashed"' });
    await t.runtime.store.jobs.enqueue({ kind: 'ingest-batch', subjectId: batchId, sandboxId: scope.sandboxId, queueKey: `${scope.sandboxId}/${datasetId}`, oncePerSubject: true }, t.clock.now());
    const leaseMs = t.config.leaseSeconds * 1000;
    expect(await t.runtime.store.jobs.claimNext({ kinds: ['ingest-batch'], workerId: 'dead-process', leaseMs, now: t.clock.now() })).toBeDefined();
    await t.runtime.worker.drain();
    expect((await batchOf(batchId))['status']).toBe('processing');
    expect(existsSync(path.join(t.dataDir, 'staging', batchId))).toBe(true);
    t.clock.advance(leaseMs);
    expect(await t.runtime.worker.drain()).toBe(1);
    const batch = await batchOf(batchId);
    expect(batch['status']).toBe('failed');
    expect(batch['errors']).toEqual([{ code: 'INGESTION_INTERRUPTED', description: expect.stringMatching(/interrupted/i) }]);
    expect(batch['failedRows']).toEqual([]);
    expect(batch['metrics']).toBeUndefined();
    expect(existsSync(path.join(t.dataDir, 'lake', scope.sandboxId, datasetId, batchId))).toBe(false);
    expect(existsSync(path.join(t.dataDir, 'staging', batchId))).toBe(false);
  });

  it('deletes a sandbox with its lake files and the error reports of its batches', async () => {
    const sandbox = await t.inject({ method: 'POST', url: '/data/foundation/sandbox-management/sandboxes', headers: json(), payload: JSON.stringify({ name: 'scratch' }) });
    const sandboxId = sandbox.json<{ id: string }>().id;
    const inScratch = (extra: Record<string, string> = {}) => admin.headers({ 'x-sandbox-name': 'scratch', ...extra });
    const dataset = await t.inject({ method: 'POST', url: `${CATALOG}/dataSets`, headers: inScratch({ 'content-type': 'application/json' }), payload: JSON.stringify({ name: 'Scratch', schema }) });
    const scratchDataset = dataset.json<string[]>()[0]?.replace('@/dataSets/', '') ?? '';
    const batch = await t.inject({ method: 'POST', url: IMPORT, headers: inScratch({ 'content-type': 'application/json' }), payload: JSON.stringify({ datasetId: scratchDataset, inputFormat: { format: 'csv' }, partialIngestion: { errorThreshold: 50 } }) });
    const batchId = batch.json<{ id: string }>().id;
    await t.inject({ method: 'PUT', url: `${IMPORT}/${batchId}/datasets/${scratchDataset}/files/a.csv`, headers: inScratch({ 'content-type': 'text/csv' }), payload: 'crmId,points\nS-1,1\nS-2,two\n' });
    await t.inject({ method: 'POST', url: `${IMPORT}/${batchId}?action=COMPLETE`, headers: inScratch() });
    await t.runtime.services.profilesModule.batches.whenIdle();
    const lakeDir = path.join(t.dataDir, 'lake', sandboxId);
    const errorsDir = path.join(t.dataDir, 'errors', batchId);
    expect(existsSync(lakeDir) && existsSync(errorsDir)).toBe(true);
    expect((await t.inject({ method: 'DELETE', url: '/data/foundation/sandbox-management/sandboxes/scratch', headers: admin.headers() })).statusCode).toBe(200);
    expect(existsSync(lakeDir)).toBe(false);
    expect(existsSync(errorsDir)).toBe(false);
  });

  it('counts finished batches and their accepted and rejected rows in /metrics', async () => {
    const read = async () => {
      const text = (await t.inject({ method: 'GET', url: '/metrics' })).body;
      const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
      return {
        success: value(/^activator_ingest_batches_total\{status="success"\} (\d+)$/m),
        accepted: value(/^activator_ingest_rows_total\{outcome="accepted"\} (\d+)$/m),
        rejected: value(/^activator_ingest_rows_total\{outcome="rejected"\} (\d+)$/m),
      };
    };
    const before = await read();
    const batchId = await newBatch({ partialIngestion: { errorThreshold: 50 } });
    await upload(batchId, 'counted.csv', 'crmId,points\nC-20,1\nC-21,2\nC-22,three\n');
    await action(batchId, 'COMPLETE');
    await t.runtime.services.profilesModule.batches.whenIdle();
    const after = await read();
    expect({ success: after.success - before.success, accepted: after.accepted - before.accepted, rejected: after.rejected - before.rejected }).toEqual({ success: 1, accepted: 2, rejected: 1 });
  });
});
