// The batch segmentation scheduler end to end on both stores: an injected clock reaches 01:00 UTC, a scheduler job evaluates the audience.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SchedulerEvent } from '../../src/domain/schedules/segmentation-scheduler.js';
import { ingestionClient } from '../support/ingestion-client.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const UPS = '/data/core/ups';
const SANDBOXES = '/data/foundation/sandbox-management/sandboxes';

interface Job {
  id: string; source: string; status: string; properties: { scheduleId: string; runId: string } | null;
  segments: { segmentId: string }[]; metrics: { segmentedProfileCounter: Record<string, number> };
}

describeOnEachStore('segmentation scheduler', (storeEnv) => {
  let t: TestApp;
  let admin: TestCaller;
  let audienceId = '';
  const json = () => admin.headers({ 'content-type': 'application/json' });
  const get = (url: string, sandbox?: string) => t.inject({ method: 'GET', url, headers: admin.headers(sandbox === undefined ? {} : { 'x-sandbox-name': sandbox }) });
  const jobs = async (sandbox?: string): Promise<Job[]> => {
    const response = await get(`${UPS}/segment/jobs?limit=100`, sandbox);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ children: Job[] }>().children;
  };
  const tickAt = async (iso: string): Promise<SchedulerEvent[]> => {
    t.clock.advance(Date.parse(iso) - t.clock.now());
    const { ran, events } = await t.runtime.scheduler.tick();
    expect(ran).toBe(true);
    await t.runtime.services.segmentJobs.jobs.whenIdle();
    // Tokens live 24 hours of the test clock: take a fresh one after each jump.
    admin = await t.caller({ admin: true });
    return [...events];
  };

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    admin = await t.caller({ admin: true });
    const client = ingestionClient(t, admin);
    const datasetId = await client.createDataset('CRM points');
    const batchId = await client.newBatch(datasetId);
    const csv = ['crmId,points', 'C-1,120', 'C-2,40', 'C-3,500', 'C-4,100'].join('\n');
    const upload = await t.inject({ method: 'PUT', url: `/data/foundation/import/batches/${batchId}/datasets/${datasetId}/files/crm.csv`, headers: admin.headers({ 'content-type': 'application/octet-stream' }), payload: csv });
    expect(upload.statusCode, upload.body).toBe(200);
    expect((await client.action(batchId, 'COMPLETE')).statusCode).toBe(200);
    await t.runtime.services.profilesModule.batches.whenIdle();
    expect(await client.batchOf(batchId)).toMatchObject({ status: 'success', recordCount: 4 });
    const audience = await t.inject({
      method: 'POST', url: `${UPS}/segment/definitions`, headers: json(),
      payload: JSON.stringify({ name: 'Over 100 points', schema: { name: '_xdm.context.profile' }, expression: { type: 'PQL', format: 'pql/text', value: 'points > 100' } }),
    });
    expect(audience.statusCode, audience.body).toBe(200);
    audienceId = audience.json<{ id: string }>().id;
    // A second sandbox whose schedule is switched off must never fire.
    expect((await t.inject({ method: 'POST', url: SANDBOXES, headers: json(), payload: JSON.stringify({ name: 'sched-off', title: 'Off', type: 'development' }) })).statusCode).toBe(201);
    const off = (await get(`${UPS}/config/schedules`, 'sched-off')).json<{ children: { id: string }[] }>().children[0]?.id ?? '';
    const patched = await t.inject({
      method: 'PATCH', url: `${UPS}/config/schedules/${off}`, headers: admin.headers({ 'content-type': 'application/json', 'x-sandbox-name': 'sched-off' }),
      payload: JSON.stringify([{ op: 'replace', path: '/state', value: 'inactive' }]),
    });
    expect(patched.statusCode, patched.body).toBe(204);
  });
  afterAll(async () => t.close());

  it('fires nothing before 01:00 UTC, then one scheduler job for prod that evaluates its audience', async () => {
    // The test clock starts at 2026-01-15T09:00Z; the default schedule (0 0 1 * * ?) next fires 2026-01-16T01:00Z.
    expect(await tickAt('2026-01-15T23:59:59Z')).toEqual([]);
    expect(await tickAt('2026-01-16T00:59:59Z')).toEqual([]);
    expect(await jobs()).toEqual([]);

    const events = await tickAt('2026-01-16T01:00:07Z');
    const schedule = (await get(`${UPS}/config/schedules`)).json<{ children: { id: string }[] }>().children[0];
    expect(events).toHaveLength(1);
    const [fired] = events;
    if (fired?.type !== 'fired') throw new Error(`expected a firing, got ${JSON.stringify(events)}`);
    expect(fired).toMatchObject({ scheduleId: schedule?.id, occurrence: Date.parse('2026-01-16T01:00:00Z') });

    const [job, ...others] = await jobs();
    expect(others).toEqual([]);
    expect(job).toMatchObject({ id: fired.jobId, source: 'scheduler', status: 'SUCCEEDED', properties: { scheduleId: schedule?.id, runId: fired.runId } });
    expect(job?.segments.map((s) => s.segmentId)).toEqual([audienceId]);
    // points > 100: C-1 (120) and C-3 (500); C-4 has exactly 100.
    expect(job?.metrics.segmentedProfileCounter).toEqual({ [audienceId]: 2 });
    expect(await jobs('sched-off')).toEqual([]);
  });

  it('does not fire again the same day, fires the next day, and after downtime catches up once', async () => {
    expect(await tickAt('2026-01-16T01:00:22Z')).toEqual([]);
    expect(await tickAt('2026-01-16T23:00:00Z')).toEqual([]);
    expect((await jobs()).length).toBe(1);
    expect((await tickAt('2026-01-17T01:00:00Z')).map((e) => e.type)).toEqual(['fired']);
    expect((await jobs()).length).toBe(2);
    // Four days down: one catch-up job for 2026-01-21T01:00Z, not four.
    const catchUp = await tickAt('2026-01-21T08:30:00Z');
    expect(catchUp.map((e) => (e.type === 'fired' ? new Date(e.occurrence).toISOString() : e.type))).toEqual(['2026-01-21T01:00:00.000Z']);
    expect(await tickAt('2026-01-21T08:30:15Z')).toEqual([]);
    const all = await jobs();
    expect(all).toHaveLength(3);
    expect(all.every((job) => job.source === 'scheduler' && job.status === 'SUCCEEDED')).toBe(true);
    expect(new Set(all.map((job) => job.properties?.runId)).size).toBe(3);
    expect(await jobs('sched-off')).toEqual([]);
  });
});
