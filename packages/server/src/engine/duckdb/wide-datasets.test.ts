// Wide datasets (issue 8, item 8): five profile datasets of 1,000 declared fields each (a union schema at the
// 5,000-path limit) and an event dataset; lookups answer with the right merged values. Before the per-dataset
// profile tables, the merge built rows as wide as the union schema (minutes, tens of GB, or SIGFPE).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields, fixtureDataset, writeBatch, type FixtureDataset } from '../../../test/support/lake-fixtures.js';
import type { SchemaField } from '../lake-schema.js';
import type { ProfileScope } from '../engine.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbProfileEngine } from './duckdb-profiles.js';

const WIDE_DATASETS = 5;
const TYPES: Record<number, SchemaField> = {
  3: { path: '', type: 'number', required: false },
  4: { path: '', type: 'boolean', required: false },
  5: { path: '', type: 'date', required: false },
  6: { path: '', type: 'date-time', required: false },
  8: { path: '', type: 'array', items: 'integer', required: false },
};
const typedField = (path: string, j: number): SchemaField => ({ ...(TYPES[j] ?? { type: j % 7 === 0 ? 'integer' : 'string', required: false }), path });
const FIELDS_PER_DATASET = 1000;

describe('lookups over wide datasets', () => {
  let db: DuckDbDatabase;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-wide-'));
  const lake = path.join(tmp, 'lake');
  const wide: FixtureDataset[] = [];
  let web: FixtureDataset;
  const scope = (): ProfileScope => ({
    sandboxId: 'sb',
    profileDatasets: wide,
    eventDatasets: [web],
    rules: { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } },
    derivedDir: path.join(tmp, 'derived'),
  });
  // Field j of dataset d: `w<d>.f<j>` (f3–f6 and f8 of other types, else integer when j is a multiple of 7), except that every dataset also declares
  // `shared.f<j>` for j < 10 (one path, several datasets) and crmId.
  const schemaFields = (d: number): SchemaField[] => [
    ...fields(['crmId', 'string']),
    ...Array.from({ length: 10 }, (_, j) => fields([`shared.f${j}`, 'string'])[0] as SchemaField),
    ...Array.from({ length: FIELDS_PER_DATASET - 11 }, (_, j) => typedField(`w${d}.f${j}`, j)),
  ];
  // Records: for C-1, each dataset has an older and a newer fragment; the newer one sets fewer fields.
  const typed = { f3: 2.5, f4: true, f5: '1990-05-06', f6: '2025-03-01 12:00:00.123', f8: [1, 9007199254740993n] };
  const older = (d: number) => ({
    crmId: 'C-1', 'shared.f0': `old-${d}`, 'shared.f1': `old-${d}`, [`w${d}.f0`]: 1000 + d, [`w${d}.f1`]: `a${d}`, [`w${d}.f988`]: `z${d}`,
    ...Object.fromEntries(Object.entries(typed).map(([key, value]) => [`w${d}.${key}`, value])),
  });
  const newer = (d: number) => ({ crmId: 'C-1', 'shared.f1': `new-${d}`, [`w${d}.f1`]: `b${d}` });

  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
    for (let d = 0; d < WIDE_DATASETS; d++) {
      const dataset = fixtureDataset(`ds-w${d}`, { class: 'profile', fields: schemaFields(d), identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }] });
      wide.push(dataset);
      const day = (n: number) => `2025-01-${String(n).padStart(2, '0')} 00:00:00`;
      await writeBatch(db, lake, dataset, {
        id: `b${d}-1`,
        completedAt: day(1 + d),
        records: [
          { identities: [['CRMID', 'C-1']], values: older(d) },
          { identities: [['CRMID', `C-${10 + d}`]], values: { crmId: `C-${10 + d}`, [`w${d}.f2`]: `only-${d}` } },
        ],
      });
      await writeBatch(db, lake, dataset, { id: `b${d}-2`, completedAt: day(10 + d), records: [{ identities: [['CRMID', 'C-1']], values: newer(d) }] });
    }
    web = fixtureDataset('ds-web', { class: 'experienceEvent', fields: fields(['ecid', 'string']), identities: [{ path: 'ecid', namespace: 'ECID', primary: true }] });
    await writeBatch(db, lake, web, { id: 'e1', completedAt: '2025-02-01 00:00:00', records: [{ identities: [['ECID', 'E-1']], values: { ecid: 'E-1' } }] });
  }, 120_000);
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('merges a profile whose fragments span five 1,000-field datasets', async () => {
    const engine = new DuckDbProfileEngine(db);
    const profile = await engine.lookupProfile(scope(), { namespace: 'CRMID', id: 'C-1' });
    // Expected values, from the fixture: the newest fragment with a value wins; dataset 4's batches are the newest.
    const expected: Record<string, unknown> = { crmId: 'C-1', shared: { f0: 'old-4', f1: 'new-4' } };
    const typedJson = { f3: 2.5, f4: true, f5: '1990-05-06', f6: '2025-03-01T12:00:00.123Z', f8: [1, '9007199254740993'] };
    for (let d = 0; d < WIDE_DATASETS; d++) expected[`w${d}`] = { f0: 1000 + d, f1: `b${d}`, f988: `z${d}`, ...typedJson };
    expect(profile?.attributes).toEqual(expected);
    expect(profile?.sources).toEqual(wide.map((dataset) => dataset.id));
    expect(profile?.lastModifiedAt).toBe(Date.UTC(2025, 0, 14));
    expect(await engine.lookupProfile(scope(), { namespace: 'CRMID', id: 'C-13' })).toMatchObject({ attributes: { crmId: 'C-13', w3: { f2: 'only-3' } }, sources: ['ds-w3'] });
    expect(await engine.lookupProfile(scope(), { namespace: 'ECID', id: 'E-1' })).toMatchObject({ attributes: {}, sources: [], lastModifiedAt: Date.UTC(2025, 1, 1) });
  }, 120_000);
});
