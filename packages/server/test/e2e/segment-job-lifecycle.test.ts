// Segment job lifecycle (SPEC §5.6, §5.8): the 10-jobs guardrail, scheduler jobs merging, cancellation, and a cut-off run taken over cleanly.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pqlAudienceCompiler } from '../../src/domain/segment-jobs/pql-audience-compiler.js';
import { SegmentJobRunner } from '../../src/domain/segment-jobs/segment-job-runner.js';
import { storeAudienceSource } from '../../src/domain/segment-jobs/store-audience-source.js';
import type { SegmentEngine } from '../../src/engine/engine.js';
import type { SegmentJobRecord } from '../../src/storage/store.js';
import { createTestApp, type TestApp } from '../support/with-app.js';
import { crmCsv, CRM_ROWS, expectedMembers, UPS, upsClient } from '../support/segment-world.js';

const JOBS = `${UPS}/segment/jobs`;
const crmSchema = {
  class: 'profile',
  fields: [{ path: 'crmId', type: 'string', required: true }, { path: 'email', type: 'string' }, { path: 'loyalty.tier', type: 'string' }, { path: 'loyalty.points', type: 'integer' }],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }, { path: 'email', namespace: 'Email', primary: false }],
};

const apps: TestApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0).reverse()) await app.close();
});

/** An app with the CRM rows ingested and two audiences. */
async function appWithAudiences(env: Record<string, string> = {}) {
  const t = await createTestApp(env);
  apps.push(t);
  const admin = await t.caller({ admin: true });
  const ups = upsClient(t, admin);
  const crm = await ups.dataset('CRM', crmSchema);
  await ups.ingest(crm, 'csv', 'crm.csv', crmCsv(CRM_ROWS));
  const gold = await ups.audience('Gold', 'loyalty.tier = "gold"');
  const rich = await ups.audience('Rich', 'loyalty.points >= 100');
  const sandboxId = (await t.runtime.store.sandboxes.getByName('prod'))?.id ?? '';
  return { t, ups, gold, rich, scope: t.runtime.store.sandbox(sandboxId) };
}

describe('segment job lifecycle', () => {
  it('refuses an 11th active job with 429, exempts scheduler jobs (which merge while waiting), and cancels queued jobs at once', async () => {
    const { t, ups, gold, rich, scope } = await appWithAudiences();
    await t.runtime.worker.stop(); // nothing runs: every job stays QUEUED
    const finished: SegmentJobRecord[] = [];
    t.runtime.services.segmentJobs.jobs.onJobFinished((job) => void finished.push(job));
    const created: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const response = await ups.send('POST', JOBS, [{ segmentId: gold }]);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<{ status: string }>().status).toBe('QUEUED');
      created.push(response.json<{ id: string }>().id);
    }
    const refused = await ups.send('POST', JOBS, [{ segmentId: gold }]);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ status: 429, type: 'https://ns.adobe.com/aep/errors/UPAPI-1429-429' });

    const service = t.runtime.services.segmentJobs.jobs;
    const scheduled = await service.createScheduledJob(scope, [gold], { scheduleId: 'sch-1', runId: 'run-1' });
    expect(scheduled).toMatchObject({ source: 'scheduler', status: 'QUEUED', properties: { scheduleId: 'sch-1', runId: 'run-1' } });
    const merged = await service.createScheduledJob(scope, [rich], { scheduleId: 'sch-1', runId: 'run-2' });
    expect(merged.id).toBe(scheduled.id);
    expect(merged.requested).toEqual([gold, rich]);
    expect(merged.segments.map((segment) => segment.segmentId)).toEqual([gold, rich]);
    expect(merged.properties).toEqual({ scheduleId: 'sch-1', runId: 'run-2' });
    // A schedule naming an audience that was deleted since still fires, for the audiences that exist.
    const lenient = await service.createScheduledJob(scope, ['4f0c0f6e-0000-4000-8000-00000000dead'], { scheduleId: 'sch-1', runId: 'run-3' });
    expect(lenient.id).toBe(scheduled.id);
    expect(lenient.segments.map((segment) => segment.segmentId)).toEqual([gold, rich]);
    const shown = (await ups.send('GET', `${JOBS}/${scheduled.id}`)).json<{ source: string; properties: unknown }>();
    expect(shown).toMatchObject({ source: 'scheduler', properties: { scheduleId: 'sch-1', runId: 'run-3' } });

    const victim = created[0] ?? '';
    expect((await ups.send('DELETE', `${JOBS}/${victim}`)).statusCode).toBe(204);
    expect((await ups.send('GET', `${JOBS}/${victim}`)).json<{ status: string }>().status).toBe('CANCELLED');
    expect((await ups.send('DELETE', `${JOBS}/${victim}`)).statusCode).toBe(204);
    expect(finished.map((job) => [job.id, job.status])).toEqual([[victim, 'CANCELLED']]);
    expect((await ups.send('POST', JOBS, [{ segmentId: gold }])).statusCode).toBe(200);
  }, 60_000);

  it('start-up queues again a job left NEW by a process that stopped before enqueueing it', async () => {
    const { t, gold, scope } = await appWithAudiences();
    await t.runtime.worker.stop();
    const now = t.clock.now();
    await scope.segmentJobs.create({
      id: '0b8f8a3e-0000-4000-8000-000000000001', status: 'NEW', source: 'api', requested: [gold], metrics: null, errors: [], properties: null, requestId: null,
      segments: [{ segmentId: gold, expression: 'loyalty.tier = "gold"', mergePolicyId: 'timestampOrdered-none-mp', mergePolicyVersion: 1, dependencies: [] }],
      createdAt: now, updatedAt: now, startedAt: null, finishedAt: null,
    });
    const service = t.runtime.services.segmentJobs.jobs;
    expect(await service.resumeOrphans(scope)).toBe(1);
    expect(await service.resumeOrphans(scope)).toBe(0);
    expect((await t.runtime.store.jobs.findLatest('segment-job', '0b8f8a3e-0000-4000-8000-000000000001'))?.state).toBe('queued');
    expect((await scope.segmentJobs.get('0b8f8a3e-0000-4000-8000-000000000001'))?.status).toBe('QUEUED');
  }, 60_000);

  it('a PROCESSING job goes CANCELLING on DELETE, then ends CANCELLED without a snapshot', async () => {
    const { t, ups, gold, scope } = await appWithAudiences();
    await t.runtime.worker.stop();
    const id = (await ups.send('POST', JOBS, [{ segmentId: gold }])).json<{ id: string }>().id;
    // The run has started (as a worker's claim would make it) when the client cancels.
    expect(await scope.segmentJobs.update(id, ['QUEUED'], { status: 'PROCESSING', startedAt: t.clock.now() })).toBeDefined();
    expect((await ups.send('DELETE', `${JOBS}/${id}`)).statusCode).toBe(204);
    expect((await ups.send('GET', `${JOBS}/${id}`)).json<{ status: string }>().status).toBe('CANCELLING');
    await t.runtime.services.segmentJobs.runner.run(scope, id, new AbortController().signal);
    expect((await ups.send('GET', `${JOBS}/${id}`)).json<{ status: string }>().status).toBe('CANCELLED');
    expect(await scope.segmentSnapshots.listOfJob(id)).toEqual([]);
    expect((await scope.segmentSnapshots.latestVisible()).size).toBe(0);
  }, 60_000);

  it('a run cut off mid-way is taken over once its lease expired and re-run cleanly: no half-written snapshot survives', async () => {
    const { t, ups, gold, rich, scope } = await appWithAudiences({ ACTIVATOR_LEASE_SECONDS: '30' });
    await t.runtime.worker.stop();
    const id = (await ups.send('POST', JOBS, [{ segmentId: gold }, { segmentId: rich }])).json<{ id: string }>().id;
    // A worker claims it, starts, stages one snapshot … and dies.
    const leaseMs = t.config.leaseSeconds * 1000;
    const claimed = await t.runtime.store.jobs.claimNext({ kinds: ['segment-job'], workerId: 'dead-worker', leaseMs, now: t.clock.now() });
    expect(claimed?.subjectId).toBe(id);
    await scope.segmentJobs.update(id, ['QUEUED'], { status: 'PROCESSING', startedAt: t.clock.now() });
    const staleFile = path.join(t.dataDir, 'snapshots', scope.sandboxId, gold, `${id}.parquet`);
    mkdirSync(path.dirname(staleFile), { recursive: true });
    writeFileSync(staleFile, 'half-written');
    await scope.segmentSnapshots.create({
      id: 'stale-snapshot', segmentId: gold, jobId: id, evaluatedAt: t.clock.now(), mergePolicyId: 'timestampOrdered-none-mp', mergePolicyVersion: 1,
      definitionHash: '0'.repeat(64), filePath: staleFile, counts: { realized: 99, existing: 0, exited: 0 }, byNamespace: {}, visibleAt: null, createdAt: t.clock.now(),
    });

    // A second job of the sandbox waits behind it: one job per sandbox is PROCESSING at a time.
    const next = (await ups.send('POST', JOBS, [{ segmentId: rich }])).json<{ id: string }>().id;

    // Another instance on the same data directory: nothing happens while the lease holds, then it takes the job over.
    const other = await createTestApp({ ACTIVATOR_DATA_DIR: t.dataDir, ACTIVATOR_LEASE_SECONDS: '30' });
    apps.push(other);
    other.clock.advance(t.clock.now() - other.clock.now() + leaseMs - 1);
    expect(await other.runtime.worker.drain()).toBe(0);
    expect((await ups.send('GET', `${JOBS}/${next}`)).json<{ status: string }>().status).toBe('QUEUED');
    other.clock.advance(1);
    expect(await other.runtime.worker.drain()).toBe(2);
    expect((await ups.send('GET', `${JOBS}/${next}`)).json<{ status: string }>().status).toBe('SUCCEEDED');

    const job = (await ups.send('GET', `${JOBS}/${id}`)).json<{ status: string; metrics: { segmentedProfileCounter: Record<string, number> } }>();
    const expected = expectedMembers(CRM_ROWS);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.metrics.segmentedProfileCounter).toEqual({ [gold]: expected.gold.length, [rich]: expected.rich.length });
    const snapshots = await scope.segmentSnapshots.listOfJob(id);
    expect(snapshots.map((snapshot) => snapshot.segmentId).sort()).toEqual([gold, rich].sort());
    expect(snapshots.every((snapshot) => snapshot.visibleAt !== null && snapshot.id !== 'stale-snapshot')).toBe(true);
    const goldRows = await t.runtime.engine.readSnapshot({ path: staleFile });
    expect(goldRows.map((row) => row.profileKey).sort()).toEqual(expected.gold.map((crmId) => `CRMID:${crmId}`));
    expect(existsSync(path.join(t.dataDir, 'tmp', 'segment-jobs', id))).toBe(false);
  }, 60_000);

  it('keeps the latest 3 snapshots of an audience and deletes older ones after the retention period; each records its definition hash', async () => {
    const { t, ups, gold, scope } = await appWithAudiences({ ACTIVATOR_SNAPSHOT_RETENTION_DAYS: '0' });
    const jobIds: string[] = [];
    for (let run = 0; run < 5; run += 1) {
      t.clock.advance(60_000);
      const created = await ups.send('POST', JOBS, [{ segmentId: gold }]);
      expect(created.statusCode, created.body).toBe(200);
      jobIds.push(created.json<{ id: string }>().id);
      await t.runtime.services.segmentJobs.jobs.whenIdle();
    }
    const kept = await scope.segmentSnapshots.listVisible(gold);
    expect(kept.map((snapshot) => snapshot.jobId)).toEqual(jobIds.slice(2).reverse());
    for (const jobId of jobIds.slice(0, 2)) expect(existsSync(path.join(t.dataDir, 'snapshots', scope.sandboxId, gold, `${jobId}.parquet`))).toBe(false);
    for (const snapshot of kept) expect(existsSync(snapshot.filePath)).toBe(true);
    const hash = createHash('sha256').update(`${gold}\u0000loyalty.tier = "gold"\u0000`).digest('hex');
    expect(kept.every((snapshot) => snapshot.definitionHash === hash && snapshot.mergePolicyVersion === 1)).toBe(true);
  }, 60_000);

  it('keeps every snapshot of an audience an export job that has not ended may read, and prunes them once it ended', async () => {
    const { t, ups, gold, scope } = await appWithAudiences({ ACTIVATOR_SNAPSHOT_RETENTION_DAYS: '0' });
    const now = t.clock.now();
    const exportJob = await scope.exportJobs.create({
      status: 'PROCESSING', request: { segments: [{ segmentId: gold, segmentNs: 'ups', status: ['realized', 'existing'] }] }, batchIds: [], metrics: null, errors: [],
      segmentJobId: null, computeJobId: 'compute-1', requestId: null, createdBy: 'test', createdAt: now, updatedAt: now,
    });
    const run = async () => {
      t.clock.advance(60_000);
      const created = await ups.send('POST', JOBS, [{ segmentId: gold }]);
      expect(created.statusCode, created.body).toBe(200);
      await t.runtime.services.segmentJobs.jobs.whenIdle();
      return created.json<{ id: string }>().id;
    };
    const jobIds: string[] = [];
    for (let index = 0; index < 5; index += 1) jobIds.push(await run());
    const protectedSnapshots = await scope.segmentSnapshots.listVisible(gold);
    expect(protectedSnapshots.map((snapshot) => snapshot.jobId)).toEqual([...jobIds].reverse());
    for (const snapshot of protectedSnapshots) expect(existsSync(snapshot.filePath)).toBe(true);
    // Once the export ended, the next job's retention keeps the latest 3 only.
    expect(await scope.exportJobs.update(exportJob.id, ['PROCESSING'], { status: 'SUCCEEDED', updatedAt: t.clock.now() })).toBeDefined();
    jobIds.push(await run());
    const kept = await scope.segmentSnapshots.listVisible(gold);
    expect(kept.map((snapshot) => snapshot.jobId)).toEqual(jobIds.slice(3).reverse());
    for (const snapshot of protectedSnapshots.filter((s) => !jobIds.slice(3).includes(s.jobId))) expect(existsSync(snapshot.filePath)).toBe(false);
  }, 60_000);

  it('a job cancelled while the engine evaluates ends CANCELLED: the snapshots it wrote are removed and never become visible', async () => {
    const { t, ups, gold, rich, scope } = await appWithAudiences();
    await t.runtime.worker.stop();
    const id = (await ups.send('POST', JOBS, [{ segmentId: gold }, { segmentId: rich }])).json<{ id: string }>().id;
    const { runtime } = t;
    const profiles = runtime.services.profilesModule;
    // The real engine; the client's DELETE arrives while it evaluates.
    const engine: SegmentEngine = {
      evaluateSegments: async (request) => {
        expect((await ups.send('DELETE', `${JOBS}/${id}`)).statusCode).toBe(204);
        return runtime.engine.evaluateSegments(request);
      },
      previewSegment: (request) => runtime.engine.previewSegment(request),
      readSnapshot: (snapshot, keys) => runtime.engine.readSnapshot(snapshot, keys),
      exportMembers: (request) => runtime.engine.exportMembers(request),
    };
    const finished: string[] = [];
    const runner = new SegmentJobRunner({
      ids: { uuid: () => crypto.randomUUID() }, clock: t.clock, engine, lake: profiles.lake, audiences: storeAudienceSource(profiles.datasets), compiler: pqlAudienceCompiler,
      scopes: { policyVersion: async (s, policyId) => (await profiles.policies.get(s, policyId)).version, profileScope: (s, policyId) => profiles.profiles.profileScope(s, policyId) },
      finished: (job) => { finished.push(job.status); return Promise.resolve(); },
      retention: { keepLatest: 3, retentionMs: 0 },
    });
    await runner.run(scope, id, new AbortController().signal);
    expect((await ups.send('GET', `${JOBS}/${id}`)).json<{ status: string }>().status).toBe('CANCELLED');
    expect(finished).toEqual(['CANCELLED']);
    expect(await scope.segmentSnapshots.listOfJob(id)).toEqual([]);
    for (const segmentId of [gold, rich]) expect(existsSync(path.join(t.dataDir, 'snapshots', scope.sandboxId, segmentId, `${id}.parquet`))).toBe(false);
  }, 60_000);
});
