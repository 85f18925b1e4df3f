// exportMembers (member-export.ts) against lookupProfile on a random lake: every exported row equals the row built
// from the lookup of the snapshot keys, under both graph types and merge policies, after keys changed their profile.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields, fixtureDataset, literal, writeBatch, type FixtureDataset, type FixtureRecord } from '../../../test/support/lake-fixtures.js';
import type { MemberExport, MemberExportSource, MergeRules, MergedProfile, ProfileScope, SnapshotRow } from '../engine.js';
import type { SchemaField } from '../lake-schema.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbProfileEngine } from './duckdb-profiles.js';
import { DuckDbSegmentEngine } from './duckdb-segments.js';
import { seededRandom } from '../../../test/support/seeded-random.js';

const random = seededRandom;

const SHARED = fields(
  ['name', 'string'], ['loyalty.points', 'integer'], ['loyalty.tier', 'string'], ['score', 'number'], ['vip', 'boolean'], ['birthDate', 'date'],
  ['seenAt', 'date-time'], ['tags', 'array', 'string'], ['codes', 'array', 'integer'], ['profile', 'string'], ['__proto__.polluted', 'string'],
);
const TIMES = ['2025-01-01 00:00:00', '2025-01-02 00:00:00', '2025-01-02 00:00:00.5'];
const REQUESTED = ['name', 'loyalty', 'score', 'vip', 'birthDate', 'seenAt', 'tags', 'codes', 'profile', 'wide.f3', 'a.only', '__proto__.polluted', 'nowhere.declared'];
const STATUSES: readonly SnapshotRow['status'][] = ['realized', 'existing', 'exited'];

function value(field: SchemaField, next: () => number): unknown {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  if (next() < 0.35) return null;
  switch (field.type) {
    case 'string': return pick(['', 'a', 'Zed', "o'k"]);
    case 'integer': return pick([0, -7, 1200]);
    case 'number': return pick([0.1, -1e-7, 1 / 3]);
    case 'boolean': return next() < 0.5;
    case 'date': return pick(['1990-05-06', '2024-02-29']);
    case 'date-time': return pick(['2025-03-01 12:00:00.123', '1999-12-31 23:59:59']);
    default: return field.items === 'integer' ? pick([[], [1, 2]]) : pick([[], ['y', 'z']]);
  }
}

/** The value at a dotted path of nested attributes (own properties only). */
function valueAt(attributes: unknown, dotted: string): unknown {
  let current = attributes;
  for (const key of dotted.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A plain JSON object set at a dotted path (JSON.parse makes `__proto__` an own key; so does this). */
function put(row: Record<string, unknown>, dotted: string, leaf: unknown): void {
  const keys = dotted.split('.');
  let node = row;
  for (const key of keys.slice(0, -1)) {
    if (!Object.hasOwn(node, key)) Object.defineProperty(node, key, { value: {}, enumerable: true, writable: true, configurable: true });
    node = node[key] as Record<string, unknown>;
  }
  Object.defineProperty(node, keys.at(-1) as string, { value: leaf, enumerable: true, writable: true, configurable: true });
}

interface Snapshot {
  readonly file: string;
  readonly rows: SnapshotRow[];
}

describe('exportMembers equals rows built from lookupProfile', () => {
  let db: DuckDbDatabase;
  let profiles: DuckDbProfileEngine;
  let segments: DuckDbSegmentEngine;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-member-export-'));
  const lake = path.join(tmp, 'lake');
  const datasets: FixtureDataset[] = [];
  const web = fixtureDataset('ds-web', { class: 'experienceEvent', fields: fields(['page', 'string']), identities: [] });
  const snapshots: Snapshot[] = [];
  const scope = (rules: MergeRules): ProfileScope => ({ sandboxId: 'sb', profileDatasets: datasets, eventDatasets: [web], rules, derivedDir: path.join(tmp, 'derived') });

  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
    profiles = new DuckDbProfileEngine(db);
    segments = new DuckDbSegmentEngine(db, profiles);
    const next = random(20261208);
    const identity = (): [string, string] => (next() < 0.5 ? ['CRMID', `C-${Math.floor(next() * 20)}`] : ['Email', `e${Math.floor(next() * 15)}@x.com`]);
    const filler = Array.from({ length: 70 }, (_, j) => fields([`wide.f${j}`, j % 3 === 0 ? 'integer' : 'string'])[0] as SchemaField);
    const specs = [
      { id: 'ds-a', fields: [...SHARED.slice(0, 6), ...fields(['a.only', 'string'])] },
      { id: 'ds-b', fields: [...SHARED] },
      { id: 'ds-w', fields: [...SHARED.slice(3), ...filler] }, // over 64 fields: the long form
    ];
    for (const spec of specs) {
      const dataset = fixtureDataset(spec.id, { class: 'profile', fields: spec.fields, identities: [] });
      datasets.push(dataset);
      for (let batch = 0; batch < 2; batch++) {
        const records: FixtureRecord[] = Array.from({ length: 20 }, (_, row) => {
          const first = identity();
          const values = Object.fromEntries(dataset.schema.fields.map((field) => [field.path, value(field, next)]));
          return { identities: next() < 0.1 ? [first, identity()] : [first], time: TIMES[Math.floor(next() * 3)] as string, values, part: row % 2, file: `in-${row % 2}.csv`, row: row + 1 };
        });
        await writeBatch(db, lake, dataset, { id: `${spec.id}-${batch}`, completedAt: TIMES[batch] as string, records });
      }
    }
    // Profiles with only events (ECID), some linked to a CRM profile.
    const events: FixtureRecord[] = Array.from({ length: 12 }, (_, index) => ({
      identities: index % 4 === 0 ? [['ECID', `E-${index}`], ['CRMID', `C-${index}`]] : [['ECID', `E-${index}`]],
      timestamp: '2025-02-01 10:00:00', eventId: `ev-${index}`, values: { page: '/p' },
    }));
    await writeBatch(db, lake, web, { id: 'web-0', completedAt: '2025-03-01 00:00:00', records: events });
    // Snapshots written before the key change below: random keys (some unknown), statuses and times.
    const pool = [
      ...Array.from({ length: 20 }, (_, i) => `CRMID:C-${i}`), ...Array.from({ length: 15 }, (_, i) => `Email:e${i}@x.com`),
      ...Array.from({ length: 12 }, (_, i) => `ECID:E-${i}`), 'CRMID:C-unknown', 'Email:nobody@x.com',
    ];
    for (const [index, share] of [0.7, 0.5].entries()) {
      const keys = pool.filter((key) => ['CRMID:C-1', 'CRMID:C-2', 'CRMID:C-3', 'Email:e3@x.com'].includes(key) || next() < share).sort();
      const rows = keys.map((profileKey) => ({ profileKey, status: STATUSES[Math.floor(next() * 3)] as SnapshotRow['status'], lastQualificationTime: Date.parse(`${TIMES[Math.floor(next() * 3)] as string}Z`.replace(' ', 'T')) }));
      const file = path.join(tmp, `snapshot-${index}.parquet`);
      const values = rows.map((row) => `(${literal(row.profileKey)}, ${literal(row.status)}, make_timestamp(${row.lastQualificationTime * 1000}))`);
      await db.query(`COPY (SELECT * FROM (VALUES ${values.join(', ')}) AS t("profileKey", "status", "lastQualificationTime") ORDER BY 1) TO '${file}' (FORMAT parquet)`);
      snapshots.push({ file, rows });
    }
    // The key change: C-1, C-2, C-3 and e3 become one profile (pdg): keys of one snapshot meet in one row.
    await writeBatch(db, lake, datasets[0] as FixtureDataset, {
      id: 'ds-a-link', completedAt: '2025-04-01 00:00:00',
      records: [{ identities: [['CRMID', 'C-2'], ['CRMID', 'C-1']], values: { name: 'linked' } }, { identities: [['Email', 'e3@x.com'], ['CRMID', 'C-3'], ['CRMID', 'C-2']] }],
    });
  }, 60_000);
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** What the per-member path gave: a lookup per passing key, merged by profile key, the last key's row per snapshot. */
  async function expectedRows(rules: MergeRules, sources: readonly MemberExportSource[], includeEmpty: boolean): Promise<Map<string, Record<string, unknown>>> {
    const members = new Map<string, { profile: MergedProfile; membership: Map<number, SnapshotRow> }>();
    for (const [index, source] of sources.entries()) {
      const rows = (snapshots.find((s) => s.file === source.snapshot.path) as Snapshot).rows;
      for (const row of [...rows].sort((a, b) => Buffer.compare(Buffer.from(a.profileKey), Buffer.from(b.profileKey)))) {
        if (!source.statuses.includes(row.status)) continue;
        if (source.qualifiedFrom !== undefined && row.lastQualificationTime < source.qualifiedFrom) continue;
        const separator = row.profileKey.indexOf(':');
        const profile = await profiles.lookupProfile(scope(rules), { namespace: row.profileKey.slice(0, separator), id: row.profileKey.slice(separator + 1) });
        if (profile === undefined || (!includeEmpty && profile.sources.length === 0)) continue;
        const member = members.get(profile.profileKey) ?? { profile, membership: new Map<number, SnapshotRow>() };
        member.membership.set(index, row);
        members.set(profile.profileKey, member);
      }
    }
    const expected = new Map<string, Record<string, unknown>>();
    for (const [key, { profile, membership }] of members) {
      const row: Record<string, unknown> = {};
      for (const field of REQUESTED) {
        const found = valueAt(profile.attributes, field);
        if (found !== undefined && found !== null) put(row, field, found);
      }
      const identityMap: Record<string, { id: string; primary: boolean }[]> = {};
      for (const identity of profile.identities) (identityMap[identity.namespace] ??= []).push({ id: identity.id, primary: `${identity.namespace}:${identity.id}` === key });
      row['identityMap'] = identityMap;
      const audiences: Record<string, unknown> = {};
      for (const [index, entry] of membership) {
        const source = sources[index] as MemberExportSource;
        audiences[source.audienceId] = { status: entry.status, lastQualificationTime: new Date(entry.lastQualificationTime).toISOString() };
      }
      row['segmentMembership'] = { ups: audiences };
      expected.set(key, row);
    }
    return expected;
  }

  async function exportedRows(written: MemberExport): Promise<Map<string, Record<string, unknown>>> {
    const rows = new Map<string, Record<string, unknown>>();
    for (const file of written.files) {
      const chunks: Buffer[] = [];
      for await (const chunk of file.read()) chunks.push(Buffer.from(chunk));
      const text = Buffer.concat(chunks).toString('utf8');
      expect(Buffer.byteLength(text)).toBe(file.bytes);
      for (const line of text.split('\n').filter((l) => l !== '')) {
        const row = JSON.parse(line) as { identityMap: Record<string, { id: string; primary: boolean }[]> };
        const primary = Object.entries(row.identityMap).flatMap(([ns, list]) => list.filter((i) => i.primary).map((i) => `${ns}:${i.id}`));
        expect(primary).toHaveLength(1);
        rows.set(primary[0] as string, row);
      }
    }
    return rows;
  }

  const cases: [MergeRules, boolean][] = [
    [{ identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } }, false],
    [{ identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } }, true],
    [{ identityGraph: 'pdg', attributeMerge: { type: 'dataSetPrecedence', order: ['ds-w', 'ds-a'] } }, true],
    [{ identityGraph: 'none', attributeMerge: { type: 'dataSetPrecedence', order: ['ds-b', 'ds-w'] } }, false],
  ];

  it.each(cases)('exports every member as the lookups give it (%j, empty profiles %s)', async (rules, includeEmpty) => {
    const [first, second] = snapshots as [Snapshot, Snapshot];
    const sources: MemberExportSource[] = [
      { snapshot: { path: first.file }, statuses: ['realized', 'existing'], audienceId: '5a1c3e9b-0d2f-4b6a-8c7e-1f2a3b4c5d6e' },
      { snapshot: { path: second.file }, statuses: ['realized', 'existing', 'exited'], qualifiedFrom: Date.parse('2025-01-02T00:00:00Z'), audienceId: 'seg_b' },
    ];
    const written = await segments.exportMembers({ scope: scope(rules), sources, fields: REQUESTED, includeEmptyProfiles: includeEmpty, workDir: path.join(tmp, 'work'), maxFileBytes: 2_000 });
    try {
      const expected = await expectedRows(rules, sources, includeEmpty);
      const actual = await exportedRows(written);
      expect(actual).toEqual(expected);
      expect(written.rows).toBe(expected.size);
      expect(expected.size).toBeGreaterThan(15);
      expect(written.files.length).toBeGreaterThan(1);
      const withMembership = [...expected.values()].filter((row) => valueAt(row, 'segmentMembership.ups.seg_b.status') !== undefined);
      expect(withMembership.length).toBeGreaterThan(3);
      const byNamespace: Record<string, number> = {};
      for (const row of expected.values()) for (const ns of Object.keys(row['identityMap'] as object)) byNamespace[ns] = (byNamespace[ns] ?? 0) + 1;
      expect(written.byNamespace).toEqual(byNamespace);
      // The key change: the four linked keys of the first snapshot are one profile under pdg.
      const linked = [...actual.values()].filter((row) => ((row['identityMap'] as Record<string, { id: string }[]>)['CRMID'] ?? []).some((i) => i.id === 'C-3'));
      if (rules.identityGraph === 'pdg') expect(linked).toHaveLength(1);
    } finally {
      await written.discard();
    }
    expect(readdirSync(tmp)).not.toContain('work');
  });

  it('writes no file when no key passes the filters', async () => {
    const rules: MergeRules = { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } };
    const source: MemberExportSource = { snapshot: { path: (snapshots[0] as Snapshot).file }, statuses: ['realized'], qualifiedFrom: Date.parse('2030-01-01T00:00:00Z'), audienceId: 'seg_a' };
    const written = await segments.exportMembers({ scope: scope(rules), sources: [source], fields: ['name'], includeEmptyProfiles: true, workDir: path.join(tmp, 'none'), maxFileBytes: 1_000 });
    expect({ rows: written.rows, files: written.files.length, byNamespace: written.byNamespace }).toEqual({ rows: 0, files: 0, byNamespace: {} });
    await written.discard();
    expect(() => readFileSync(path.join(tmp, 'none'))).toThrow();
  });
});
