// Store contract for batch segmentation schedules (migration 0006), run against SQLite and PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgres, type TestPostgres } from '../../test/support/with-postgres.js';
import { migrationProvider } from './migrations/index.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { StoreConflictError, type SandboxRecord, type SegmentScheduleRecord, type Store } from './store.js';

const T0 = 1_750_000_000_000;
const sandbox = (id: string, name: string, over: Partial<SandboxRecord> = {}): SandboxRecord => ({
  id, name, title: name, state: 'active', type: 'development', isDefault: false, etag: 1, createdAt: T0, updatedAt: T0,
  createdBy: 'system', updatedBy: 'system', ...over,
});
const schedule = (over: Partial<Omit<SegmentScheduleRecord, 'sandboxId'>> = {}): Omit<SegmentScheduleRecord, 'sandboxId'> => ({
  id: 'sch-1', name: 'profile-default', type: 'batch_segmentation', segments: ['*'], cron: '0 0 1 * * ?', state: 'active',
  firedThrough: T0, lastFiredAt: null, lastRunId: null, createdAt: T0, updatedAt: T0, createdBy: 'system', updatedBy: 'system', ...over,
});

interface Setup {
  /** A new empty database: a store factory, and a raw Kysely on it for migrating step by step. */
  newDatabase(): Promise<{ open: () => Promise<Store>; raw: () => Kysely<unknown> }>;
}

function scheduleContract(setup: Setup): void {
  let store: Store;
  const opened: Store[] = [];
  beforeEach(async () => {
    store = await (await setup.newDatabase()).open();
    opened.push(store);
    await store.migrate();
    await store.sandboxes.create(sandbox('sb-a', 'alpha'));
    await store.sandboxes.create(sandbox('sb-b', 'beta'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((each) => each.close()));
  });

  it('creates, reads back (sandbox-scoped) and finds the one schedule of a sandbox', async () => {
    const a = store.sandbox('sb-a').schedules;
    expect(await a.find()).toBeUndefined();
    await a.create(schedule({ segments: ['s1', 's2'] }));
    const expected: SegmentScheduleRecord = { ...schedule({ segments: ['s1', 's2'] }), sandboxId: 'sb-a' };
    expect(await a.get('sch-1')).toEqual(expected);
    expect(await a.find()).toEqual(expected);
    expect(await store.sandbox('sb-b').schedules.get('sch-1')).toBeUndefined();
    expect(await store.sandbox('sb-b').schedules.find()).toBeUndefined();
  });

  it('allows one schedule per sandbox, even under concurrent creates', async () => {
    const a = store.sandbox('sb-a').schedules;
    const results = await Promise.allSettled([a.create(schedule({ id: 'x1' })), a.create(schedule({ id: 'x2' }))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' ? rejected.reason : undefined).toBeInstanceOf(StoreConflictError);
    await store.sandbox('sb-b').schedules.create(schedule({ id: 'x3' }));
  });

  it('updates only the patched fields, and only in its sandbox', async () => {
    const a = store.sandbox('sb-a').schedules;
    await a.create(schedule());
    expect(await store.sandbox('sb-b').schedules.update('sch-1', { state: 'inactive', updatedAt: T0 + 1, updatedBy: 'eve' })).toBeUndefined();
    const updated = await a.update('sch-1', { cron: '0 30 2 * * ?', segments: ['s9'], updatedAt: T0 + 5, updatedBy: 'ada' });
    expect(updated).toEqual({ ...schedule(), sandboxId: 'sb-a', cron: '0 30 2 * * ?', segments: ['s9'], updatedAt: T0 + 5, updatedBy: 'ada' });
    expect(await a.update('missing', { name: 'n', updatedAt: T0, updatedBy: 'ada' })).toBeUndefined();
  });

  it('records a firing once per expected value (compare-and-set), never while inactive, and undoes it', async () => {
    const a = store.sandbox('sb-a').schedules;
    await a.create(schedule());
    const firing = { occurrence: T0 + 86_400_000, runId: 'run-1' };
    const both = await Promise.all([a.recordFiring('sch-1', T0, firing), a.recordFiring('sch-1', T0, { ...firing, runId: 'run-2' })]);
    expect(both.filter(Boolean)).toHaveLength(1);
    const fired = await a.get('sch-1');
    expect(fired?.firedThrough).toBe(firing.occurrence);
    expect(fired?.lastFiredAt).toBe(firing.occurrence);
    const winner = both[0] === true ? 'run-1' : 'run-2';
    expect(fired?.lastRunId).toBe(winner);
    expect(await a.undoFiring('sch-1', { ...firing, runId: 'someone-else' }, { firedThrough: T0, lastFiredAt: null, lastRunId: null })).toBe(false);
    expect(await a.undoFiring('sch-1', { ...firing, runId: winner }, { firedThrough: T0, lastFiredAt: null, lastRunId: null })).toBe(true);
    expect(await a.get('sch-1')).toEqual({ ...schedule(), sandboxId: 'sb-a' });
    await a.update('sch-1', { state: 'inactive', updatedAt: T0, updatedBy: 'ada' });
    expect(await a.recordFiring('sch-1', T0, firing)).toBe(false);
  });

  it('lists the active schedules of live sandboxes only', async () => {
    await store.sandbox('sb-a').schedules.create(schedule({ id: 'a' }));
    await store.sandbox('sb-b').schedules.create(schedule({ id: 'b', state: 'inactive' }));
    await store.sandboxes.create(sandbox('sb-c', 'gamma'));
    await store.sandbox('sb-c').schedules.create(schedule({ id: 'c' }));
    expect((await store.segmentSchedules.listActive()).map((s) => s.id)).toEqual(['a', 'c']);
    await store.sandboxes.update('sb-c', { state: 'deleted' });
    expect((await store.segmentSchedules.listActive()).map((s) => [s.id, s.sandboxId])).toEqual([['a', 'sb-a']]);
  });

  it('deletes by id and deletes all of a sandbox', async () => {
    const a = store.sandbox('sb-a').schedules;
    await a.create(schedule());
    await store.sandbox('sb-b').schedules.create(schedule({ id: 'b' }));
    expect(await store.sandbox('sb-b').schedules.delete('sch-1')).toBe(false);
    expect(await a.delete('sch-1')).toBe(true);
    expect(await a.delete('sch-1')).toBe(false);
    await a.create(schedule({ id: 'again' }));
    expect(await a.deleteAll()).toBe(1);
    expect(await store.sandbox('sb-b').schedules.find()).toMatchObject({ id: 'b' });
  });

  it('runs exclusive work; two processes on one database never run it at once', async () => {
    const database = await setup.newDatabase();
    const [one, two] = [await database.open(), await database.open()];
    opened.push(one, two);
    expect(await one.runExclusive('scheduler', () => Promise.resolve(42))).toEqual({ ran: true, value: 42 });
    if (one.dialect !== 'postgres') return;
    let release: () => void = () => undefined;
    const held = one.runExclusive('scheduler', () => new Promise<string>((resolve) => { release = () => resolve('first'); }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await two.runExclusive('scheduler', () => Promise.resolve('second'))).toEqual({ ran: false });
    expect(await two.runExclusive('another-duty', () => Promise.resolve('other'))).toEqual({ ran: true, value: 'other' });
    release();
    expect(await held).toEqual({ ran: true, value: 'first' });
    expect(await two.runExclusive('scheduler', () => Promise.resolve('third'))).toEqual({ ran: true, value: 'third' });
    // A failing duty releases the lock too.
    await expect(one.runExclusive('scheduler', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await two.runExclusive('scheduler', () => Promise.resolve('fourth'))).toEqual({ ran: true, value: 'fourth' });
  });

  it('migration 0006 gives every live sandbox that existed before it an active default schedule', async () => {
    const database = await setup.newDatabase();
    const raw = database.raw();
    try {
      const migrator = new Migrator({ db: raw, provider: migrationProvider });
      expect((await migrator.migrateTo('0003-attempt-counters')).error).toBeUndefined();
      const before = await database.open();
      opened.push(before);
      await before.sandboxes.create(sandbox('sb-old', 'old'));
      await before.sandboxes.create(sandbox('sb-gone', 'gone', { state: 'deleted' }));
      const started = Date.now();
      expect(await before.migrate()).toContain('0006-segment-schedules');
      const created = await before.sandbox('sb-old').schedules.find();
      expect(created).toMatchObject({ sandboxId: 'sb-old', name: 'profile-default', type: 'batch_segmentation', segments: ['*'], cron: '0 0 1 * * ?', state: 'active', lastFiredAt: null, lastRunId: null, createdBy: 'system' });
      expect(created?.firedThrough).toBeGreaterThanOrEqual(started);
      expect(await before.sandbox('sb-gone').schedules.find()).toBeUndefined();
    } finally {
      await raw.destroy();
    }
  });
}

describe('segment schedules store contract [sqlite]', () => {
  let directory: string;
  let count = 0;
  beforeAll(() => { directory = mkdtempSync(path.join(tmpdir(), 'activator-schedules-')); });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  scheduleContract({
    newDatabase: () => {
      count += 1;
      const file = path.join(directory, `store-${count}.db`);
      return Promise.resolve({ open: () => openSqliteStore({ file }), raw: () => new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Sqlite(file) }) }) });
    },
  });
});

const postgres = postgresAvailability();
if (postgres.ok) {
  describe('segment schedules store contract [postgres]', () => {
    let server: TestPostgres;
    beforeAll(async () => { server = await startPostgres(); });
    afterAll(async () => { await server.stop(); }, 180_000);
    scheduleContract({
      newDatabase: async () => {
        const url = await server.createDatabase();
        return { open: () => openPostgresStore({ connectionString: url }), raw: () => new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) }) };
      },
    });
  });
} else {
  describe.skip(`segment schedules store contract [postgres] — skipped: ${postgres.reason}`, () => {
    it('runs against PostgreSQL', () => undefined);
  });
}
