// DuckDbSegmentEngine on real lakes with hand-written SQL in the compiled form (seg-contract §1): snapshots and their
// statuses across jobs (SPEC §5.7), inSegment through "$memberships", failures and their dependents, preview.
//
// Hand-computed scenario (pdg). Batch crm-b1: C-1 (jane@x.com, 500 points), C-2 (bob@x.com, 100), C-3 (900), C-4 (no
// points); events: E-1 with jane@x.com on /cart (joins Jane's profile), E-9 on /cart (a profile of events only).
// Batch crm-b2 (job 2): C-3 drops to 50, C-2 rises to 300, and a record links AAA:a-1 to C-1: Jane's key becomes
// AAA:a-1 (namespace AAA sorts before CRMID) while she stays a member.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields, fixtureDataset, writeBatch, type FixtureDataset } from '../../../test/support/lake-fixtures.js';
import type { AudienceQuery, ProfileScope, SegmentEvaluationRequest, SnapshotFile } from '../engine.js';
import { SEGMENT_RELATIONS } from '../engine.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbProfileEngine } from './duckdb-profiles.js';
import { DuckDbSegmentEngine } from './duckdb-segments.js';

const T1 = Date.UTC(2025, 0, 10, 1);
const T2 = Date.UTC(2025, 0, 11, 1);
const T3 = Date.UTC(2025, 0, 12, 1);
const { profiles, events, memberships } = SEGMENT_RELATIONS;

const rich: AudienceQuery = { id: 'rich', sql: `SELECT p."$profile" FROM ${profiles} AS p WHERE coalesce(p."loyalty.points" >= $1, false)`, parameters: [200], fields: ['loyalty.points'] };
const cart: AudienceQuery = {
  id: 'cart',
  sql: `SELECT p."$profile" FROM ${profiles} AS p WHERE EXISTS (SELECT 1 FROM ${events} AS e WHERE e."$profile" = p."$profile" AND e."page" = $1)`,
  parameters: ['/cart'],
  fields: ['xEvent.page'],
};
const inSegments = (id: string, segments: string[]): AudienceQuery => ({
  id,
  sql:
    `SELECT p."$profile" FROM ${profiles} AS p WHERE ` +
    segments.map((_, index) => `EXISTS (SELECT 1 FROM ${memberships} AS m WHERE m."$segment" = $${index + 1} AND m."$profile" = p."$profile")`).join(' AND '),
  parameters: segments,
  fields: [],
});
const broken: AudienceQuery = { id: 'broken', sql: `SELECT p."$profile" FROM ${profiles} AS p WHERE p."nope" = 1`, parameters: [], fields: [] };

describe('DuckDbSegmentEngine', () => {
  let db: DuckDbDatabase;
  let segments: DuckDbSegmentEngine;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-segments-'));
  const lake = path.join(tmp, 'lake');
  let crm: FixtureDataset;
  let web: FixtureDataset;
  const scope = (): ProfileScope => ({
    sandboxId: 'sb',
    profileDatasets: [crm],
    eventDatasets: [web],
    rules: { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } },
    derivedDir: path.join(tmp, 'derived'),
  });
  const job = (name: string, audiences: AudienceQuery[], extra: Partial<SegmentEvaluationRequest> = {}): SegmentEvaluationRequest => ({
    scope: scope(),
    audiences,
    dependencies: new Map([['richCart', ['rich', 'cart']], ['dependent', ['broken']]]),
    previous: new Map(),
    evaluatedAt: T1,
    outputDir: path.join(tmp, 'out', name),
    ...extra,
  });
  const snapshots: Record<string, SnapshotFile> = {};

  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
    segments = new DuckDbSegmentEngine(db, new DuckDbProfileEngine(db));
    crm = fixtureDataset('ds-crm', {
      class: 'profile',
      fields: fields(['crmId', 'string'], ['email', 'string'], ['loyalty.points', 'integer']),
      identities: [
        { path: 'crmId', namespace: 'CRMID', primary: true },
        { path: 'email', namespace: 'Email', primary: false },
      ],
    });
    web = fixtureDataset('ds-web', { class: 'experienceEvent', fields: fields(['ecid', 'string'], ['page', 'string']), identities: [{ path: 'ecid', namespace: 'ECID', primary: true }] });
    await writeBatch(db, lake, crm, {
      id: 'crm-b1',
      completedAt: '2025-01-01 00:00:00',
      records: [
        { identities: [['CRMID', 'C-1'], ['Email', 'jane@x.com']], values: { crmId: 'C-1', email: 'jane@x.com', 'loyalty.points': 500 } },
        { identities: [['CRMID', 'C-2'], ['Email', 'bob@x.com']], values: { crmId: 'C-2', email: 'bob@x.com', 'loyalty.points': 100 } },
        { identities: [['CRMID', 'C-3']], values: { crmId: 'C-3', 'loyalty.points': 900 } },
        { identities: [['CRMID', 'C-4']], values: { crmId: 'C-4' } },
      ],
    });
    await writeBatch(db, lake, web, {
      id: 'web-b1',
      completedAt: '2025-01-01 00:00:00',
      records: [
        { identities: [['ECID', 'E-1'], ['Email', 'jane@x.com']], eventId: 'ev-1', values: { ecid: 'E-1', page: '/cart' } },
        { identities: [['ECID', 'E-9']], eventId: 'ev-9', values: { ecid: 'E-9', page: '/cart' } },
        { identities: [['ECID', 'E-9']], eventId: 'ev-10', values: { ecid: 'E-9', page: '/home' } },
      ],
    });
  });
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('job 1: evaluates in order, every member realized, inSegment through memberships, failures fail their dependents only', async () => {
    const request = job('job1', [rich, cart, inSegments('richCart', ['rich', 'cart']), broken, inSegments('dependent', ['broken'])]);
    const progress: number[] = [];
    const result = await segments.evaluateSegments({ ...request, onProgress: (done, total) => progress.push(done / total) });
    expect(result.totalProfiles).toBe(5);
    expect(progress).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
    const [richOutcome, cartOutcome, richCart, brokenOutcome, dependent] = result.audiences;
    expect(richOutcome).toEqual({
      id: 'rich',
      ok: true,
      snapshot: { path: path.join(request.outputDir, 'rich.parquet') },
      counts: { realized: 2, existing: 0, exited: 0 },
      byNamespace: { CRMID: 2, ECID: 1, Email: 1 },
    });
    expect(await segments.readSnapshot({ path: path.join(request.outputDir, 'rich.parquet') })).toEqual([
      { profileKey: 'CRMID:C-1', status: 'realized', lastQualificationTime: T1 },
      { profileKey: 'CRMID:C-3', status: 'realized', lastQualificationTime: T1 },
    ]);
    expect(cartOutcome).toMatchObject({ ok: true, counts: { realized: 2, existing: 0, exited: 0 }, byNamespace: { CRMID: 1, ECID: 2, Email: 1 } });
    expect(richCart).toMatchObject({ ok: true, counts: { realized: 1, existing: 0, exited: 0 } });
    expect(await segments.readSnapshot({ path: path.join(request.outputDir, 'richCart.parquet') })).toEqual([{ profileKey: 'CRMID:C-1', status: 'realized', lastQualificationTime: T1 }]);
    expect(brokenOutcome).toMatchObject({ id: 'broken', ok: false });
    expect(brokenOutcome?.ok === false && brokenOutcome.error).toMatch(/nope/);
    expect(dependent).toEqual({ id: 'dependent', ok: false, error: 'depends on audience broken, which failed' });
    expect(readdirSync(request.outputDir).sort()).toEqual(['cart.parquet', 'rich.parquet', 'richCart.parquet']);
    snapshots['rich1'] = { path: path.join(request.outputDir, 'rich.parquet') };
  });

  it('job 2: realized, existing (also under a changed key, keeping its qualification time) and exited', async () => {
    await writeBatch(db, lake, crm, {
      id: 'crm-b2',
      completedAt: '2025-01-02 00:00:00',
      records: [
        { identities: [['CRMID', 'C-3']], values: { crmId: 'C-3', 'loyalty.points': 50 } },
        { identities: [['CRMID', 'C-2']], values: { crmId: 'C-2', 'loyalty.points': 300 } },
        { identities: [['CRMID', 'C-1'], ['AAA', 'a-1']], values: { crmId: 'C-1' } },
      ],
    });
    const previous = new Map([['rich', snapshots['rich1'] as SnapshotFile]]);
    const request = job('job2', [rich], { previous, evaluatedAt: T2 });
    const [outcome] = (await segments.evaluateSegments(request)).audiences;
    expect(outcome).toMatchObject({ ok: true, counts: { realized: 1, existing: 1, exited: 1 }, byNamespace: { AAA: 1, CRMID: 2, ECID: 1, Email: 2 } });
    const file = { path: path.join(request.outputDir, 'rich.parquet') };
    expect(await segments.readSnapshot(file)).toEqual([
      { profileKey: 'AAA:a-1', status: 'existing', lastQualificationTime: T1 },
      { profileKey: 'CRMID:C-2', status: 'realized', lastQualificationTime: T2 },
      { profileKey: 'CRMID:C-3', status: 'exited', lastQualificationTime: T2 },
    ]);
    expect(await segments.readSnapshot(file, ['CRMID:C-3', 'CRMID:C-9'])).toEqual([{ profileKey: 'CRMID:C-3', status: 'exited', lastQualificationTime: T2 }]);
    expect(await segments.readSnapshot(file, [])).toEqual([]);

    // Job 3, nothing changed: exits are recorded once; members stay existing with their first qualification time.
    const third = job('job3', [rich], { previous: new Map([['rich', file]]), evaluatedAt: T3 });
    expect((await segments.evaluateSegments(third)).audiences[0]).toMatchObject({ ok: true, counts: { realized: 0, existing: 2, exited: 0 } });
    expect(await segments.readSnapshot({ path: path.join(third.outputDir, 'rich.parquet') })).toEqual([
      { profileKey: 'AAA:a-1', status: 'existing', lastQualificationTime: T1 },
      { profileKey: 'CRMID:C-2', status: 'existing', lastQualificationTime: T2 },
    ]);
  });

  it('reads external audiences from their snapshots, resolving their keys to current profiles', async () => {
    // Job 1's rich members: CRMID:C-1 (now under AAA:a-1) and CRMID:C-3 (now 50 points, but a member of that snapshot).
    const request = job('external', [inSegments('fromSnapshot', ['rich'])], { external: new Map([['rich', snapshots['rich1'] as SnapshotFile]]), dependencies: new Map() });
    const [outcome] = (await segments.evaluateSegments(request)).audiences;
    expect(outcome).toMatchObject({ ok: true, counts: { realized: 2 } });
    expect((await segments.readSnapshot({ path: path.join(request.outputDir, 'fromSnapshot.parquet') })).map((row) => row.profileKey)).toEqual(['AAA:a-1', 'CRMID:C-3']);
  });

  it('stops between audiences when aborted and leaves no snapshot', async () => {
    const controller = new AbortController();
    const request = job('aborted', [rich, cart], { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(segments.evaluateSegments(request)).rejects.toThrow();
    expect(existsSync(request.outputDir) ? readdirSync(request.outputDir) : []).toEqual([]);
  });

  it('previews exactly below the sample size, with members as lookups return them', async () => {
    const result = await segments.previewSegment({ scope: scope(), query: rich, external: new Map(), sampleSize: 1000, limit: 1 });
    expect(result).toMatchObject({ totalProfiles: 5, profilesRead: 5, matched: 2, sampled: false, estimatedSize: 2, standardError: 0, byNamespace: { AAA: 1, CRMID: 2, ECID: 1, Email: 2 } });
    expect(result.members).toHaveLength(1);
    expect(result.members[0]).toMatchObject({ profileKey: 'AAA:a-1', attributes: { crmId: 'C-1', email: 'jane@x.com', loyalty: { points: 500 } } });
    await expect(segments.previewSegment({ scope: scope(), query: broken, external: new Map(), sampleSize: 1000, limit: 1 })).rejects.toThrow(/nope/);
  });

  it('previews each member once, whatever its number of identities', async () => {
    const result = await segments.previewSegment({ scope: scope(), query: rich, external: new Map(), sampleSize: 1000, limit: 100 });
    expect(result.members.map((member) => member.profileKey)).toHaveLength(result.matched);
    expect(new Set(result.members.map((member) => member.profileKey)).size).toBe(result.matched);
  });

  it('rejects a preview with the abort reason when its signal aborts', async () => {
    const controller = new AbortController();
    const running = segments.previewSegment({ scope: scope(), query: rich, external: new Map(), sampleSize: 1000, limit: 100, signal: controller.signal });
    controller.abort(new Error('preview deleted'));
    await expect(running).rejects.toThrow('preview deleted');
    const already = AbortSignal.abort(new Error('deleted before it started'));
    await expect(segments.previewSegment({ scope: scope(), query: rich, external: new Map(), sampleSize: 1000, limit: 1, signal: already })).rejects.toThrow('deleted before it started');
  });
});

describe('DuckDbSegmentEngine preview sampling', () => {
  const N = 4000;
  let db: DuckDbDatabase;
  let segments: DuckDbSegmentEngine;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-segments-sample-'));
  const crm = fixtureDataset('ds-crm', { class: 'profile', fields: fields(['crmId', 'string'], ['points', 'integer']), identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }] });
  const scope: ProfileScope = { sandboxId: 'sb', profileDatasets: [crm], eventDatasets: [], rules: { identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } }, derivedDir: path.join(tmp, 'derived') };
  // Every fourth profile qualifies: N / 4 members.
  const quarter: AudienceQuery = { id: 'q', sql: `SELECT p."$profile" FROM ${profiles} AS p WHERE coalesce(p."points" % 4 = 0, false)`, parameters: [], fields: ['points'] };

  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
    segments = new DuckDbSegmentEngine(db, new DuckDbProfileEngine(db));
    const dir = path.join(tmp, 'lake', 'ds-crm', 'b1');
    crm.batchDirs.push(dir);
    mkdirSync(dir, { recursive: true });
    await db.query(
      `COPY (SELECT 'C-' || range AS crmId, range AS points, 'crm.csv' AS "$file", TIMESTAMP '2025-01-01' AS "$batch_completed_at" FROM range(${N})) TO '${path.join(dir, 'part-00000.parquet')}' (FORMAT parquet)`,
    );
  });
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('evaluates a deterministic sample and scales the count, with its standard error', async () => {
    const n = 1000;
    const request = { scope, query: quarter, external: new Map(), sampleSize: n, limit: 3 };
    const result = await segments.previewSegment(request);
    expect(result).toMatchObject({ totalProfiles: N, profilesRead: n, sampled: true });
    expect(result.members).toHaveLength(3);
    expect(result.byNamespace).toEqual({ CRMID: result.matched });
    const p = result.matched / n;
    expect(result.estimatedSize).toBe(Math.round((N * result.matched) / n));
    const se = N * Math.sqrt(((1 - n / N) * p * (1 - p)) / (n - 1));
    expect(result.standardError).toBeCloseTo(se, 6);
    // A uniform sample: the estimate lies within 4 standard errors (~48 profiles each here) of the true N / 4.
    expect(Math.abs(result.estimatedSize - N / 4)).toBeLessThanOrEqual(4 * se);
    expect(se).toBeGreaterThan(30);
    expect(await segments.previewSegment(request)).toEqual(result);
  });
});
