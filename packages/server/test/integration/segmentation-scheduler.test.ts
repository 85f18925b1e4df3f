// The scheduler over a real SQLite store and a fake clock: fires due schedules once, survives restarts, retries failures.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { SandboxRecord, SandboxScopedStore, Store } from '../../src/storage/store.js';
import type { Clock } from '../../src/domain/runtime.js';
import { SegmentScheduleService } from '../../src/domain/schedules/schedule-service.js';
import { SegmentationScheduler, type ScheduledJobLauncher } from '../../src/domain/schedules/segmentation-scheduler.js';

class Clockwork implements Clock {
  constructor(public current: number) {}
  now(): number {
    return this.current;
  }
}

/** Records every job the scheduler asks for; can be told to fail the next calls. */
class RecordingLauncher implements ScheduledJobLauncher {
  readonly calls: { sandboxId: string; requested: readonly string[]; scheduleId: string; runId: string }[] = [];
  failWith: Error | undefined;
  createScheduledJob(scope: SandboxScopedStore, requested: readonly string[], properties: { scheduleId: string; runId: string }): Promise<{ id: string }> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    this.calls.push({ sandboxId: scope.sandboxId, requested, ...properties });
    return Promise.resolve({ id: `job-${this.calls.length}` });
  }
}

const sandbox = (id: string): SandboxRecord => ({
  id, name: id, title: id, state: 'active', type: 'development', isDefault: false, etag: 1, createdAt: 0, updatedAt: 0, createdBy: 'system', updatedBy: 'system',
});

describe('SegmentationScheduler', () => {
  let store: Store;
  let clock: Clockwork;
  let launcher: RecordingLauncher;
  let counter = 0;
  const ids = { uuid: () => `id-${(counter += 1)}` };
  const newScheduler = () => new SegmentationScheduler({ store, clock, ids, launcher });
  const schedules = () => new SegmentScheduleService({ clock, ids, defaultCron: '0 0 1 * * ?' });

  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    await store.migrate();
    clock = new Clockwork(Date.parse('2026-01-15T09:00:00Z'));
    launcher = new RecordingLauncher();
    for (const id of ['sb-a', 'sb-b']) {
      await store.sandboxes.create(sandbox(id));
      await schedules().ensureDefault(store.sandbox(id));
    }
  });
  afterEach(async () => store.close());

  it('fires nothing before the first occurrence after creation, then each sandbox once at 01:00 UTC', async () => {
    clock.current = Date.parse('2026-01-16T00:59:59Z');
    expect((await newScheduler().tick()).events).toEqual([]);
    clock.current = Date.parse('2026-01-16T01:00:10Z');
    const { ran, events } = await newScheduler().tick();
    expect(ran).toBe(true);
    expect(events.map((e) => [e.type, e.sandboxId, e.type === 'fired' ? new Date(e.occurrence).toISOString() : ''])).toEqual([
      ['fired', 'sb-a', '2026-01-16T01:00:00.000Z'], ['fired', 'sb-b', '2026-01-16T01:00:00.000Z'],
    ]);
    expect(launcher.calls.map((c) => [c.sandboxId, c.requested])).toEqual([['sb-a', ['*']], ['sb-b', ['*']]]);
    const recorded = await store.sandbox('sb-a').schedules.find();
    expect(launcher.calls[0]).toMatchObject({ scheduleId: recorded?.id, runId: recorded?.lastRunId });
    expect(recorded?.lastFiredAt).toBe(Date.parse('2026-01-16T01:00:00Z'));
    // Later ticks the same day, and a restarted scheduler (state is in the store), fire nothing more.
    clock.current = Date.parse('2026-01-16T13:00:00Z');
    expect((await newScheduler().tick()).events).toEqual([]);
    expect(launcher.calls).toHaveLength(2);
  });

  it('after downtime fires one catch-up job per schedule for the latest missed occurrence', async () => {
    clock.current = Date.parse('2026-01-20T12:00:00Z');
    const { events } = await newScheduler().tick();
    expect(events.map((e) => (e.type === 'fired' ? new Date(e.occurrence).toISOString() : e.type))).toEqual(['2026-01-20T01:00:00.000Z', '2026-01-20T01:00:00.000Z']);
    expect(launcher.calls).toHaveLength(2);
  });

  it('never fires an inactive schedule, and after activation only occurrences from then on', async () => {
    const service = schedules();
    const scope = store.sandbox('sb-a');
    const schedule = await scope.schedules.find();
    await service.update(scope, schedule?.id ?? '', { name: 'n', type: 'batch_segmentation', segments: ['s1'], cron: '0 0 1 * * ?', state: 'inactive' }, 'ada');
    clock.current = Date.parse('2026-01-18T12:00:00Z');
    await newScheduler().tick();
    expect(launcher.calls.map((c) => c.sandboxId)).toEqual(['sb-b']);
    await service.update(scope, schedule?.id ?? '', { name: 'n', type: 'batch_segmentation', segments: ['s1'], cron: '0 0 1 * * ?', state: 'active' }, 'ada');
    await newScheduler().tick();
    expect(launcher.calls.map((c) => c.sandboxId)).toEqual(['sb-b']);
    clock.current = Date.parse('2026-01-19T01:00:00Z');
    await newScheduler().tick();
    expect(launcher.calls.map((c) => [c.sandboxId, c.requested])).toEqual([['sb-b', ['*']], ['sb-a', ['s1']], ['sb-b', ['*']]]);
  });

  it('two schedulers ticking at once fire each occurrence exactly once', async () => {
    clock.current = Date.parse('2026-01-16T01:00:00Z');
    const results = await Promise.all([newScheduler().tick(), newScheduler().tick(), newScheduler().tick()]);
    expect(results.flatMap((r) => r.events).filter((e) => e.type === 'fired')).toHaveLength(2);
    expect(launcher.calls.map((c) => c.sandboxId).sort()).toEqual(['sb-a', 'sb-b']);
  });

  it('undoes a firing whose job could not be created and retries it next tick; a refused job is not retried', async () => {
    clock.current = Date.parse('2026-01-16T01:00:00Z');
    launcher.failWith = new Error('database unavailable');
    const failed = await newScheduler().tick();
    expect(failed.events.map((e) => e.type)).toEqual(['error', 'error']);
    expect((await store.sandbox('sb-a').schedules.find())?.lastFiredAt).toBeNull();
    launcher.failWith = undefined;
    clock.current += 15_000;
    expect((await newScheduler().tick()).events.map((e) => e.type)).toEqual(['fired', 'fired']);

    clock.current = Date.parse('2026-01-17T01:00:00Z');
    launcher.failWith = new AppError('VALIDATION', 'no audience');
    expect((await newScheduler().tick()).events.map((e) => e.type)).toEqual(['refused', 'refused']);
    launcher.failWith = undefined;
    clock.current += 15_000;
    expect((await newScheduler().tick()).events).toEqual([]);
    expect(launcher.calls).toHaveLength(2);
  });

  it('skips a schedule whose stored cron no longer parses, reporting it, and fires the others', async () => {
    const scope = store.sandbox('sb-a');
    const schedule = await scope.schedules.find();
    await scope.schedules.update(schedule?.id ?? '', { cron: 'garbage', updatedAt: 0, updatedBy: 'test' });
    clock.current = Date.parse('2026-01-16T01:00:00Z');
    expect((await newScheduler().tick()).events.map((e) => [e.type, e.sandboxId])).toEqual([['invalid-cron', 'sb-a'], ['fired', 'sb-b']]);
  });
});
