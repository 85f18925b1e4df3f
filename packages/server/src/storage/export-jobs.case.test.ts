// Store contract for export jobs (migration 0007), run against SQLite and PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgres, type TestPostgres } from '../../test/support/with-postgres.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { NewExportJob, SandboxRecord, Store } from './store.js';

const T0 = 1_750_000_000_000;
const sandbox = (id: string): SandboxRecord => ({
  id, name: id, title: id, state: 'active', type: 'development', isDefault: false, etag: 1, createdAt: T0, updatedAt: T0, createdBy: 'system', updatedBy: 'system',
});
const newJob = (over: Partial<NewExportJob> = {}): NewExportJob => ({
  status: 'NEW', request: { fields: 'a,b', destination: { datasetId: 'ds' } }, batchIds: [], metrics: null, errors: [], segmentJobId: null,
  computeJobId: 'cj-1', requestId: 'req-1', createdBy: 'ada', createdAt: T0, updatedAt: T0, ...over,
});

function exportJobContract(newDatabase: () => Promise<() => Promise<Store>>): void {
  let store: Store;
  beforeEach(async () => {
    store = await (await newDatabase())();
    await store.migrate();
    await store.sandboxes.create(sandbox('sb-a'));
    await store.sandboxes.create(sandbox('sb-b'));
  });
  afterEach(async () => store.close());

  it('creates jobs with growing integer ids, reads them back only in their sandbox', async () => {
    const a = store.sandbox('sb-a').exportJobs;
    const first = await a.create(newJob());
    const second = await store.sandbox('sb-b').exportJobs.create(newJob());
    const third = await a.create(newJob({ metrics: { n: 1 }, errors: [{ code: 'X' }], segmentJobId: 'sj-1' }));
    expect(Number.isSafeInteger(first.id)).toBe(true);
    expect(second.id).toBeGreaterThan(first.id);
    expect(third.id).toBeGreaterThan(second.id);
    expect(await a.get(first.id)).toEqual({ ...newJob(), id: first.id });
    expect(await a.get(third.id)).toEqual({ ...newJob({ metrics: { n: 1 }, errors: [{ code: 'X' }], segmentJobId: 'sj-1' }), id: third.id });
    expect(await a.get(second.id)).toBeUndefined();
    expect(await a.get(Number.NaN)).toBeUndefined();
  });

  it('lists newest first with a keyset position and a status filter', async () => {
    const a = store.sandbox('sb-a').exportJobs;
    const jobs = [];
    for (const [offset, status] of [[0, 'NEW'], [10, 'SUCCEEDED'], [10, 'FAILED'], [20, 'NEW']] as const) jobs.push(await a.create(newJob({ createdAt: T0 + offset, status })));
    const ids = jobs.map((job) => job.id);
    expect((await a.list({ limit: 10 })).map((j) => j.id)).toEqual([ids[3], ids[2], ids[1], ids[0]]);
    const page = await a.list({ limit: 2 });
    const last = page[page.length - 1];
    expect((await a.list({ limit: 2, before: { createdAt: last?.createdAt ?? 0, id: last?.id ?? 0 } })).map((j) => j.id)).toEqual([ids[1], ids[0]]);
    expect((await a.list({ limit: 10, statuses: ['NEW'] })).map((j) => j.id)).toEqual([ids[3], ids[0]]);
    expect(await a.list({ limit: 10, statuses: [] })).toEqual([]);
    expect(await store.sandbox('sb-b').exportJobs.list({ limit: 10 })).toEqual([]);
  });

  it('updates only from the given statuses, finds jobs waiting for a segment job, deletes a sandbox’s jobs', async () => {
    const a = store.sandbox('sb-a').exportJobs;
    const job = await a.create(newJob({ segmentJobId: 'sj-9' }));
    expect(await a.listWaitingFor('sj-9')).toEqual([job]);
    expect(await a.update(job.id, ['PROCESSING'], { status: 'SUCCEEDED', updatedAt: T0 + 1 })).toBeUndefined();
    const started = await a.update(job.id, ['NEW'], { status: 'PROCESSING', updatedAt: T0 + 2 });
    expect(started).toEqual({ ...job, status: 'PROCESSING', updatedAt: T0 + 2 });
    expect(await a.listWaitingFor('sj-9')).toEqual([]);
    const done = await a.update(job.id, ['PROCESSING'], { status: 'SUCCEEDED', batchIds: ['b1'], metrics: { total: 3 }, errors: [], updatedAt: T0 + 3 });
    expect(done).toMatchObject({ status: 'SUCCEEDED', batchIds: ['b1'], metrics: { total: 3 } });
    expect(await store.sandbox('sb-b').exportJobs.update(job.id, ['SUCCEEDED'], { status: 'FAILED', updatedAt: T0 })).toBeUndefined();
    await store.sandbox('sb-b').exportJobs.create(newJob());
    expect(await a.deleteAll()).toBe(1);
    expect(await store.sandbox('sb-b').exportJobs.list({ limit: 5 })).toHaveLength(1);
  });
}

describe('export jobs store contract [sqlite]', () => {
  let directory: string;
  let count = 0;
  beforeAll(() => { directory = mkdtempSync(path.join(tmpdir(), 'activator-exports-')); });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  exportJobContract(() => {
    count += 1;
    const file = path.join(directory, `store-${count}.db`);
    return Promise.resolve(() => openSqliteStore({ file }));
  });
});

const postgres = postgresAvailability();
if (postgres.ok) {
  describe('export jobs store contract [postgres]', () => {
    let server: TestPostgres;
    beforeAll(async () => { server = await startPostgres(); });
    afterAll(async () => { await server.stop(); }, 180_000);
    exportJobContract(async () => {
      const url = await server.createDatabase();
      return () => openPostgresStore({ connectionString: url });
    });
  });
} else {
  describe.skip(`export jobs store contract [postgres] — skipped: ${postgres.reason}`, () => {
    it('runs against PostgreSQL', () => undefined);
  });
}
