import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields, fixtureDataset, writeBatch, type FixtureDataset } from '../../../test/support/lake-fixtures.js';
import type { MergeRules, ProfileScope } from '../engine.js';
import { DerivedCache, derivedKey, type DerivedTableEvent } from './derived-cache.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbProfileEngine } from './duckdb-profiles.js';

const kinds = (events: readonly DerivedTableEvent[]) => events.map((event) => `${event.name.split('-')[0] ?? ''}:${event.outcome}`);

describe('derived tables cached per lake version', () => {
  let db: DuckDbDatabase;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-derived-'));
  const lake = path.join(tmp, 'lake');
  let crm: FixtureDataset;
  const pdg: MergeRules = { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } };
  const scope = (derivedDir: string, rules = pdg): ProfileScope => ({
    sandboxId: 'sb',
    // A fresh array each time, as the domain would build it from the catalog.
    profileDatasets: [{ ...crm, batchDirs: [...crm.batchDirs] }],
    eventDatasets: [],
    rules,
    derivedDir,
  });
  const c1 = { namespace: 'CRMID', id: 'C-1' };

  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
    crm = fixtureDataset('ds-crm', {
      class: 'profile',
      fields: fields(['crmId', 'string'], ['tier', 'string']),
      identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
    });
    await writeBatch(db, lake, crm, { id: 'b1', completedAt: '2025-01-01 00:00:00', records: [{ identities: [['CRMID', 'C-1']], values: { crmId: 'C-1', tier: 'silver' } }] });
  });
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reuses the graph and merged table while the inputs are unchanged, and rebuilds when a batch is added', async () => {
    const derivedDir = path.join(tmp, 'derived-reuse');
    const events: DerivedTableEvent[] = [];
    const engine = new DuckDbProfileEngine(db, { onDerivedTable: (event) => events.push(event) });

    expect((await engine.lookupProfile(scope(derivedDir), c1))?.attributes).toEqual({ crmId: 'C-1', tier: 'silver' });
    expect(kinds(events)).toEqual(['graph:built', 'profiles:built']);
    const first = await engine.derivedTables(scope(derivedDir));
    const firstFragments = first.fragments[0] ?? '';
    const firstMtime = statSync(firstFragments).mtimeMs;

    events.length = 0;
    expect((await engine.lookupProfile(scope(derivedDir), c1))?.attributes).toEqual({ crmId: 'C-1', tier: 'silver' });
    expect(kinds(events)).toEqual(['graph:reused', 'profiles:reused']);
    expect(statSync(firstFragments).mtimeMs).toBe(firstMtime);

    await writeBatch(db, lake, crm, { id: 'b2', completedAt: '2025-01-02 00:00:00', records: [{ identities: [['CRMID', 'C-1']], values: { tier: 'gold' } }] });
    events.length = 0;
    expect((await engine.lookupProfile(scope(derivedDir), c1))?.attributes).toEqual({ crmId: 'C-1', tier: 'gold' });
    expect(kinds(events)).toEqual(['graph:built', 'profiles:built']);
    const second = await engine.derivedTables(scope(derivedDir));
    expect(second.fragments[0]).not.toBe(firstFragments);
    expect(statSync(firstFragments).mtimeMs).toBe(firstMtime); // the old version is left intact for readers still on it
  });

  it('reuses both tables when only the attribute merge changes (it applies per lookup), and rebuilds both when the graph type changes', async () => {
    const derivedDir = path.join(tmp, 'derived-policy');
    const events: DerivedTableEvent[] = [];
    const engine = new DuckDbProfileEngine(db, { onDerivedTable: (event) => events.push(event) });
    await engine.derivedTables(scope(derivedDir));
    events.length = 0;
    await engine.derivedTables(scope(derivedDir, { identityGraph: 'pdg', attributeMerge: { type: 'dataSetPrecedence', order: ['ds-crm'] } }));
    expect(kinds(events)).toEqual(['graph:reused', 'profiles:reused']);
    events.length = 0;
    await engine.derivedTables(scope(derivedDir, { identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } }));
    expect(kinds(events)).toEqual(['graph:built', 'profiles:built']);
  });

  it('builds once for N concurrent first lookups, in one process or several; the others wait for that build', async () => {
    const derivedDir = path.join(tmp, 'derived-single-flight');
    const events: DerivedTableEvent[] = [];
    const onDerivedTable = (event: DerivedTableEvent) => events.push(event);
    const shared = new DuckDbProfileEngine(db, { onDerivedTable });
    // Separate engines have separate in-flight maps, like separate processes sharing a data directory.
    const separate = [1, 2, 3, 4].map(() => new DuckDbProfileEngine(db, { onDerivedTable }));
    const results = await Promise.all([
      ...[1, 2, 3, 4].map(() => shared.lookupProfile(scope(derivedDir), c1)),
      ...separate.map((engine) => engine.lookupProfile(scope(derivedDir), c1)),
    ]);
    expect(results.every((profile) => profile?.attributes['crmId'] === 'C-1')).toBe(true);
    expect(new Set(results.map((profile) => JSON.stringify(profile))).size).toBe(1);
    expect(kinds(events).filter((kind) => kind.endsWith(':built')).sort()).toEqual(['graph:built', 'profiles:built']);
    expect(readdirSync(derivedDir).sort().map((entry) => entry.split('-')[0])).toEqual(['graph', 'profiles']);
  });

  it('lets concurrent callers, in one process or several, build one complete copy', async () => {
    const derivedDir = path.join(tmp, 'derived-concurrent');
    const shared = new DuckDbProfileEngine(db);
    // Separate engines have separate in-flight maps, like separate processes sharing a data directory.
    const separate = [1, 2, 3].map(() => new DuckDbProfileEngine(db));
    const results = await Promise.all([
      ...[1, 2, 3].map(() => shared.lookupProfile(scope(derivedDir), c1)),
      ...separate.map((engine) => engine.lookupProfile(scope(derivedDir), c1)),
    ]);
    expect(new Set(results.map((profile) => JSON.stringify(profile))).size).toBe(1);
    const entries = readdirSync(derivedDir).sort();
    expect(entries.map((entry) => entry.split('-')[0])).toEqual(['graph', 'profiles']);
    expect(await shared.countProfiles(scope(derivedDir))).toBe(1);
  });
});

describe('DerivedCache', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-cache-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('keys inputs by a stable hash', () => {
    expect(derivedKey({ a: [1, 'x'] })).toBe(derivedKey({ a: [1, 'x'] }));
    expect(derivedKey({ a: [1, 'x'] })).not.toBe(derivedKey({ a: [1, 'y'] }));
    expect(derivedKey({})).toMatch(/^[0-9a-f]{32}$/);
  });

  it('runs one build for concurrent callers asking for the same entry', async () => {
    const dir = path.join(tmp, 'single-flight');
    const cache = new DerivedCache();
    let builds = 0;
    const build = async (tempDir: string) => {
      builds++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      writeFileSync(path.join(tempDir, 'table.parquet'), 'x');
    };
    const dirs = await Promise.all([1, 2, 3].map(() => cache.ensure(dir, 'graph-s', build)));
    expect(builds).toBe(1);
    expect(new Set(dirs)).toEqual(new Set([path.join(dir, 'graph-s')]));
  });

  it('publishes nothing and leaves no temp directory when a build fails', async () => {
    const dir = path.join(tmp, 'failing');
    const cache = new DerivedCache();
    await expect(
      cache.ensure(dir, 'graph-x', (tempDir) => {
        writeFileSync(path.join(tempDir, 'half.parquet'), 'half');
        return Promise.reject(new Error('boom'));
      }),
    ).rejects.toThrow('boom');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('does not keep a failed build: the next caller builds afresh, in this process or another', async () => {
    const dir = path.join(tmp, 'retry');
    const caches = [new DerivedCache(), new DerivedCache()];
    let attempts = 0;
    const build = (tempDir: string) => {
      attempts++;
      if (attempts === 1) return Promise.reject(new Error('Out of Memory Error'));
      writeFileSync(path.join(tempDir, 'table.parquet'), 'x');
      return Promise.resolve();
    };
    await expect(caches[0]?.ensure(dir, 'graph-f', build)).rejects.toThrow('Out of Memory');
    expect(readdirSync(dir)).toEqual([]); // no temp directory, no lock left behind
    expect(await caches[1]?.ensure(dir, 'graph-f', build)).toBe(path.join(dir, 'graph-f'));
    expect(attempts).toBe(2);
  });

  it('takes over the lock of a builder that died', async () => {
    const dir = path.join(tmp, 'dead-holder');
    mkdirSync(dir, { recursive: true });
    // A pid that is not running on this host (pid_max is below 2^22 on Linux).
    writeFileSync(path.join(dir, '.lock-graph-d'), JSON.stringify({ host: os.hostname(), pid: 4_194_304 + 7 }));
    const published = await new DerivedCache().ensure(dir, 'graph-d', (tempDir) => Promise.resolve(writeFileSync(path.join(tempDir, 't.parquet'), 'x')));
    expect(readdirSync(published)).toEqual(['t.parquet']);
    expect(readdirSync(dir)).toEqual(['graph-d']);
  });

  it('keeps the copy that was renamed first when another builder finished meanwhile', async () => {
    const dir = path.join(tmp, 'race');
    const cache = new DerivedCache();
    const published = await cache.ensure(dir, 'graph-r', (tempDir) => {
      writeFileSync(path.join(tempDir, 'mine.parquet'), 'mine');
      mkdirSync(path.join(dir, 'graph-r'));
      writeFileSync(path.join(dir, 'graph-r', 'theirs.parquet'), 'theirs');
      return Promise.resolve();
    });
    expect(readdirSync(published)).toEqual(['theirs.parquet']);
    expect(readdirSync(dir)).toEqual(['graph-r']);
  });

  it('prunes entries unused for longer than the retention when it publishes a new one', async () => {
    const dir = path.join(tmp, 'prune');
    const now = Date.UTC(2025, 0, 10);
    const cache = new DerivedCache({ retentionMs: 60_000, now: () => now });
    for (const name of ['graph-old', 'profiles-recent', '.tmp-graph-abandoned', 'unrelated']) mkdirSync(path.join(dir, name), { recursive: true });
    const old = new Date(now - 120_000);
    for (const name of ['graph-old', '.tmp-graph-abandoned', 'unrelated']) utimesSync(path.join(dir, name), old, old);
    const recent = new Date(now - 30_000);
    utimesSync(path.join(dir, 'profiles-recent'), recent, recent);
    await cache.ensure(dir, 'graph-new', () => Promise.resolve());
    expect(readdirSync(dir).sort()).toEqual(['graph-new', 'profiles-recent', 'unrelated']);
  });
});
