// Batch ingestion as leased jobs across processes: start-up never fails a batch another live process holds; an expired lease is taken over.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, resumeBackgroundWork } from '../../src/main.js';
import { postgresAvailability, startPostgres, type TestPostgres } from '../support/with-postgres.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';
import { IMPORT, ingestionClient } from '../support/ingestion-client.js';

const quietLogger = (t: TestApp) => createLogger(t.config, { write: () => undefined });

/** One instance of the app as a client sees it. */
function client(t: TestApp, admin: TestCaller) {
  const http = ingestionClient(t, admin);
  return {
    createDataset: () => http.createDataset(`Loyalty ${Math.random()}`),
    /** A loading batch with one uploaded CSV file. */
    async stagedBatch(datasetId: string, csv: string): Promise<string> {
      const batchId = await http.newBatch(datasetId);
      const uploaded = await t.inject({ method: 'PUT', url: `${IMPORT}/${batchId}/datasets/${datasetId}/files/part.csv`, headers: admin.headers({ 'content-type': 'text/csv' }), payload: csv });
      expect(uploaded.statusCode).toBe(200);
      return batchId;
    },
    complete: (batchId: string) => http.action(batchId, 'COMPLETE'),
    batch: (batchId: string) => http.batchOf(batchId),
  };
}

const availability = postgresAvailability();

describe.skipIf(!availability.ok)(`two instances on one PostgreSQL database${availability.ok ? '' : ` — skipped: ${availability.reason}`}`, () => {
  let postgres: TestPostgres | undefined;
  const apps: TestApp[] = [];
  let sharedDir: string;
  beforeAll(async () => {
    postgres = await startPostgres();
  });
  afterAll(async () => postgres?.stop());
  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
    rmSync(sharedDir, { recursive: true, force: true });
  });

  /** An instance on the shared database and data directory (staged uploads and the lake are shared, as in a scale-out). */
  async function instance(url: string): Promise<TestApp> {
    const app = await createTestApp({ ACTIVATOR_DATABASE_URL: url, ACTIVATOR_DATA_DIR: sharedDir, ACTIVATOR_LEASE_SECONDS: '30' });
    apps.push(app);
    return app;
  }

  it('never fails a batch whose lease a live instance holds, keeps its dataset queue in order, and takes over once the lease expired', async () => {
    sharedDir = mkdtempSync(path.join(os.tmpdir(), 'activator-shared-'));
    const url = await (postgres as TestPostgres).createDatabase();
    const first = await instance(url);
    const firstClient = client(first, await first.caller({ admin: true }));
    const datasetId = await firstClient.createDataset();
    const held = await firstClient.stagedBatch(datasetId, 'crmId,points\nC-1,1\n');
    const next = await firstClient.stagedBatch(datasetId, 'crmId,points\nC-2,2\nC-3,3\n');

    // The first instance completes a batch and its worker claims the job — and is still at work (its lease is live).
    await first.runtime.worker.stop();
    expect((await firstClient.complete(held)).statusCode).toBe(200);
    const leaseMs = first.config.leaseSeconds * 1000;
    const claimed = await first.runtime.store.jobs.claimNext({ kinds: ['ingest-batch'], workerId: first.runtime.worker.workerId, leaseMs, now: first.clock.now() });
    expect(claimed?.subjectId).toBe(held);

    // A second instance starts, and starts again: it neither fails the held batch nor overtakes it with the dataset's next batch.
    for (let start = 0; start < 2; start += 1) {
      const second = await instance(url);
      await resumeBackgroundWork(second.runtime, quietLogger(second), { embedded: false });
      const secondClient = client(second, await second.caller({ admin: true }));
      if (start === 0) expect((await secondClient.complete(next)).statusCode).toBe(200);
      second.clock.advance(leaseMs - 1);
      expect(await second.runtime.worker.drain()).toBe(0);
      expect((await secondClient.batch(held))['status']).toBe('processing');
      expect((await secondClient.batch(next))['status']).toBe('processing');
      if (start === 0) {
        const stopped = apps.pop();
        await stopped?.app.close();
        await stopped?.runtime.close();
      }
    }

    // The first instance dies (no more heartbeats). Once its lease has expired, the second takes the job over.
    const second = apps.at(-1) as TestApp;
    const secondClient = client(second, await second.caller({ admin: true }));
    second.clock.advance(1);
    expect(await second.runtime.worker.drain()).toBe(2);
    const interrupted = await secondClient.batch(held);
    expect(interrupted['status']).toBe('failed');
    expect(interrupted['errors']).toEqual([{ code: 'INGESTION_INTERRUPTED', description: expect.stringMatching(/interrupted/i) }]);
    expect(await secondClient.batch(next)).toMatchObject({ status: 'success', metrics: { inputRecordCount: 2, outputRecordCount: 2 } });
    expect(await second.runtime.store.jobs.heartbeat(claimed?.id ?? -1, first.runtime.worker.workerId, leaseMs, second.clock.now())).toBe(false);
    expect(await second.runtime.store.jobs.complete(claimed?.id ?? -1, first.runtime.worker.workerId, second.clock.now())).toBe(false);
  });

  it('lets another instance ingest a batch whose job the completing instance never claimed', async () => {
    sharedDir = mkdtempSync(path.join(os.tmpdir(), 'activator-shared-'));
    const url = await (postgres as TestPostgres).createDatabase();
    const first = await instance(url);
    const firstClient = client(first, await first.caller({ admin: true }));
    const datasetId = await firstClient.createDataset();
    const batchId = await firstClient.stagedBatch(datasetId, 'crmId,points\nC-1,1\nC-2,2\n');
    await first.runtime.worker.stop();
    await firstClient.complete(batchId);
    const second = await instance(url);
    expect(await second.runtime.worker.drain()).toBe(1);
    expect(await client(second, await second.caller({ admin: true })).batch(batchId)).toMatchObject({ status: 'success', metrics: { outputRecordCount: 2 } });
  });
});

describe('embedded restart', () => {
  let t: TestApp | undefined;
  afterEach(async () => t?.close());

  it('takes over at once the jobs a crashed embedded process left running (the data-dir lock proves it is dead)', async () => {
    t = await createTestApp();
    const c = client(t, await t.caller({ admin: true }));
    const datasetId = await c.createDataset();
    const batchId = await c.stagedBatch(datasetId, 'crmId,points\nC-1,1\n');
    await t.runtime.worker.stop();
    await c.complete(batchId);
    await t.runtime.store.jobs.claimNext({ kinds: ['ingest-batch'], workerId: 'killed-process', leaseMs: 60_000, now: t.clock.now() });
    const restarted = await createTestApp({ ACTIVATOR_DATA_DIR: t.dataDir });
    try {
      await resumeBackgroundWork(restarted.runtime, quietLogger(restarted), { embedded: true });
      expect(await restarted.runtime.worker.drain()).toBe(1);
      const batch = await client(restarted, await restarted.caller({ admin: true })).batch(batchId);
      expect(batch['status']).toBe('failed');
      expect(batch['errors']).toEqual([{ code: 'INGESTION_INTERRUPTED', description: expect.stringMatching(/interrupted/i) }]);
    } finally {
      await restarted.app.close();
      await restarted.runtime.close();
    }
  });

  it('queues again a completed batch that has no job (a stop between COMPLETE and its enqueue)', async () => {
    t = await createTestApp();
    const c = client(t, await t.caller({ admin: true }));
    const datasetId = await c.createDataset();
    const batchId = await c.stagedBatch(datasetId, 'crmId,points\nC-1,1\n');
    const scope = t.runtime.store.sandbox((await t.runtime.store.sandboxes.getByName('prod'))?.id ?? '');
    const stored = await scope.batches.get(batchId);
    await scope.batches.replace(batchId, stored?.etag ?? '', { ...(stored as NonNullable<typeof stored>), status: 'processing', etag: '"orphan"' });
    await resumeBackgroundWork(t.runtime, quietLogger(t), { embedded: true });
    await t.runtime.worker.drain();
    expect(await c.batch(batchId)).toMatchObject({ status: 'success', metrics: { outputRecordCount: 1 } });
  });
});
