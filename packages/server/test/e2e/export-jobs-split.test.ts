// An export larger than one upload's limit (ACTIVATOR_MAX_UPLOAD_BYTES) is written as several files of its batch,
// every member once (SPEC §5.9).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbDatabase } from '../../src/engine/duckdb/duckdb-database.js';
import { ingestionClient } from '../support/ingestion-client.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const UPS = '/data/core/ups';
const EXPORTS = `${UPS}/export/jobs`;
const PROFILE = { name: '_xdm.context.profile' };
const MEMBERS = 40;

describe('export jobs split into files under the upload limit', () => {
  let t: TestApp;
  let admin: TestCaller;
  let duck: DuckDbDatabase;
  const json = () => admin.headers({ 'content-type': 'application/json' });
  const post = (url: string, body: unknown) => t.inject({ method: 'POST', url, headers: json(), payload: JSON.stringify(body) });
  const get = (url: string) => t.inject({ method: 'GET', url, headers: admin.headers() });

  beforeAll(async () => {
    t = await createTestApp({ ACTIVATOR_MAX_UPLOAD_BYTES: '1024' });
    admin = await t.caller({ admin: true });
    duck = await DuckDbDatabase.open({ memoryLimitMb: 256, threads: 1, tempDirectory: path.join(t.dataDir, 'test-duck') });
  });
  afterAll(async () => {
    duck.close();
    await t.close();
  });

  it('uploads several files, each under the limit, holding every member once', async () => {
    const client = ingestionClient(t, admin);
    const crmId = await client.createDataset('CRM points');
    // Two small uploads (each under 1 KiB): C-0 … C-39 with points 100 + i.
    for (const half of [0, 1]) {
      const batchId = await client.newBatch(crmId);
      const lines = Array.from({ length: MEMBERS / 2 }, (_, i) => `C-${half * (MEMBERS / 2) + i},${100 + half * (MEMBERS / 2) + i}`);
      const upload = await t.inject({ method: 'PUT', url: `/data/foundation/import/batches/${batchId}/datasets/${crmId}/files/crm.csv`, headers: admin.headers({ 'content-type': 'application/octet-stream' }), payload: ['crmId,points', ...lines].join('\n') });
      expect(upload.statusCode, upload.body).toBe(200);
      expect((await client.action(batchId, 'COMPLETE')).statusCode).toBe(200);
      await t.runtime.services.profilesModule.batches.whenIdle();
    }
    const definition = await post(`${UPS}/segment/definitions`, { name: 'All', schema: PROFILE, expression: { type: 'PQL', format: 'pql/text', value: 'points >= 100' } });
    expect(definition.statusCode, definition.body).toBe(200);
    const audience = definition.json<{ id: string }>().id;
    const target = await post('/data/foundation/catalog/dataSets', {
      name: 'Export target', profileEnabled: false,
      schema: {
        class: 'profile', identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
        fields: [{ path: 'crmId', type: 'string' }, { path: 'points', type: 'integer' }],
      },
    });
    expect(target.statusCode, target.body).toBe(201);
    const targetId = target.json<string[]>()[0]?.replace('@/dataSets/', '') ?? '';
    expect((await post(`${UPS}/segment/jobs`, [{ segmentId: audience }])).statusCode).toBe(200);
    await t.runtime.services.segmentJobs.jobs.whenIdle();

    const created = await post(EXPORTS, { schema: PROFILE, destination: { datasetId: targetId }, filter: { segments: [{ segmentId: audience }] } });
    expect(created.statusCode, created.body).toBe(200);
    const id = created.json<{ id: number }>().id;
    let job: { status: string; destination: { batchId: string }; metrics: { totalExportedProfileCounter: number } } | undefined;
    for (let round = 0; round < 100 && !['SUCCEEDED', 'FAILED'].includes(job?.status ?? ''); round += 1) {
      await t.runtime.worker.drain();
      job = (await get(`${EXPORTS}/${id}`)).json();
    }
    await t.runtime.services.profilesModule.batches.whenIdle();
    expect(job).toMatchObject({ status: 'SUCCEEDED', metrics: { totalExportedProfileCounter: MEMBERS } });
    const batchId = job?.destination.batchId ?? '';
    const batch = (await get(`/data/foundation/catalog/batches/${batchId}`)).json<Record<string, { status: string; recordCount: number }>>()[batchId];
    expect(batch).toMatchObject({ status: 'success', recordCount: MEMBERS });
    const dir = path.join(t.dataDir, 'lake', (await t.runtime.store.sandboxes.getByName('prod'))?.id ?? '', targetId, batchId);
    const parts = readdirSync(dir).filter((name) => name.endsWith('.parquet')).map((name) => `'${path.join(dir, name)}'`);
    const rows = await duck.query(`SELECT crmId AS c, points AS p, "$file" AS f FROM read_parquet([${parts.join(', ')}], union_by_name = true) ORDER BY p`);
    expect(rows.map((row) => `${String(row['c'])}|${String(row['p'])}`)).toEqual(Array.from({ length: MEMBERS }, (_, i) => `C-${i}|${100 + i}`));
    // One row takes ~70 bytes: 40 rows do not fit one 1 KiB file.
    expect(new Set(rows.map((row) => row['f'])).size).toBeGreaterThan(1);
  }, 60_000);
});
