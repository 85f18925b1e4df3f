import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields, fixtureDataset, writeBatch, type FixtureDataset } from '../../../test/support/lake-fixtures.js';
import type { LakeDataset, MergeRules, ProfileScope } from '../engine.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbProfileEngine } from './duckdb-profiles.js';
import { precedenceOf, unionProfileFields } from './merge-sql.js';

describe('attribute merge', () => {
  let db: DuckDbDatabase;
  let engine: DuckDbProfileEngine;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-merge-'));
  const lake = path.join(tmp, 'lake');
  const scope = (profileDatasets: readonly LakeDataset[], rules: MergeRules): ProfileScope => ({
    sandboxId: 'sb',
    profileDatasets,
    eventDatasets: [],
    rules,
    derivedDir: path.join(tmp, 'derived'),
  });
  const crmIdentity = [{ path: 'crmId', namespace: 'CRMID', primary: true }];

  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
    engine = new DuckDbProfileEngine(db);
  });
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('three datasets', () => {
    // Fragments of CRMID:C-7, oldest first: B b1 (02-01) < C c1 (02-02) < A a1 (02-03) < B b2 (02-04).
    let a: FixtureDataset;
    let b: FixtureDataset;
    let c: FixtureDataset;
    beforeAll(async () => {
      const shared = fields(['crmId', 'string'], ['f1', 'string'], ['f2', 'string'], ['f3', 'string'], ['f4', 'string']);
      a = fixtureDataset('ds-a', {
        class: 'profile',
        fields: [...shared, ...fields(['n', 'number'], ['ok', 'boolean'], ['born', 'date'], ['tags', 'array', 'string'], ['big', 'integer'])],
        identities: crmIdentity,
      });
      b = fixtureDataset('ds-b', { class: 'profile', fields: shared, identities: crmIdentity });
      c = fixtureDataset('ds-c', { class: 'profile', fields: shared, identities: crmIdentity });
      const c7 = [['CRMID', 'C-7']] as const;
      await writeBatch(db, lake, b, { id: 'b1', completedAt: '2025-02-01 00:00:00', records: [{ identities: c7, values: { crmId: 'C-7', f1: 'b1', f2: 'b2' } }] });
      await writeBatch(db, lake, c, { id: 'c1', completedAt: '2025-02-02 00:00:00', records: [{ identities: c7, values: { crmId: 'C-7', f1: 'c1', f2: 'c2', f3: 'c3' } }] });
      await writeBatch(db, lake, a, {
        id: 'a1',
        completedAt: '2025-02-03 00:00:00',
        records: [{ identities: c7, values: { crmId: 'C-7', f1: 'a1', f4: 'a4', n: 1.5, ok: false, born: '1990-05-06', tags: ['x', 'y'], big: 9007199254740993n } }],
      });
      await writeBatch(db, lake, b, { id: 'b2', completedAt: '2025-02-04 00:00:00', records: [{ identities: c7, values: { crmId: 'C-7', f1: 'b1-new' } }] });
    });
    const typed = { n: 1.5, ok: false, born: '1990-05-06', tags: ['x', 'y'], big: '9007199254740993' };
    const lookup = async (rules: MergeRules) => engine.lookupProfile(scope([a, b, c], rules), { namespace: 'CRMID', id: 'C-7' });

    it.each<[string, MergeRules['attributeMerge'], Record<string, unknown>]>([
      ['timestampOrdered: newest non-null value per path', { type: 'timestampOrdered' }, { f1: 'b1-new', f2: 'c2', f3: 'c3', f4: 'a4', ...typed }],
      ['precedence B, C, A: B newest-first, then C, then A', { type: 'dataSetPrecedence', order: ['ds-b', 'ds-c', 'ds-a'] }, { f1: 'b1-new', f2: 'b2', f3: 'c3', f4: 'a4', ...typed }],
      ['precedence C, A with B unlisted', { type: 'dataSetPrecedence', order: ['ds-c', 'ds-a'] }, { f1: 'c1', f2: 'c2', f3: 'c3', f4: 'a4', ...typed }],
      ['precedence A alone', { type: 'dataSetPrecedence', order: ['ds-a'] }, { f1: 'a1', f4: 'a4', ...typed }],
    ])('%s', async (_name, attributeMerge, expected) => {
      for (const identityGraph of ['pdg', 'none'] as const) {
        const profile = await lookup({ identityGraph, attributeMerge });
        expect(profile?.attributes).toEqual({ crmId: 'C-7', ...expected });
        expect(profile?.sources).toEqual(['ds-a', 'ds-b', 'ds-c']);
        expect(profile?.lastModifiedAt).toBe(Date.UTC(2025, 1, 4));
      }
    });
  });

  describe('ties', () => {
    let t: FixtureDataset;
    beforeAll(async () => {
      t = fixtureDataset('ds-t', {
        class: 'profile',
        fields: fields(['crmId', 'string'], ['ts', 'date-time'], ['v', 'string'], ['w', 'string'], ['x', 'string'], ['y', 'string'], ['u', 'string']),
        identities: crmIdentity,
        timestampField: 'ts',
      });
      const noon = '2025-03-01 12:00:00';
      const record = (file: string, row: number, values: Record<string, unknown>, time = noon) => ({
        identities: [['CRMID', 'C-9']] as const,
        file,
        row,
        time,
        values: { crmId: 'C-9', ts: time, ...values },
      });
      await writeBatch(db, lake, t, {
        id: 't1',
        completedAt: '2025-03-01 00:00:00',
        records: [
          record('a.csv', 1, { v: 'a-1', x: 'row-1', u: 'text', y: 'newer' }),
          record('b.csv', 1, { v: 'b-1' }),
          record('a.csv', 2, { v: 'a-2', x: 'row-2' }, noon),
          record('a.csv', 3, { w: 'w-t1' }),
        ],
      });
      // Completed at the very same instant as t1: only its position in batchDirs makes it later.
      await writeBatch(db, lake, t, { id: 't2', completedAt: '2025-03-01 00:00:00', records: [record('a.csv', 1, { w: 'w-t2', u: '' })] });
      // Completed last, but its timestampField value is older than every t1 row.
      await writeBatch(db, lake, t, { id: 't3', completedAt: '2025-03-05 00:00:00', records: [record('z.csv', 9, { y: 'older-by-timestamp' }, '2025-03-01 11:00:00')] });
    });

    it('breaks equal fragment times by batch, then file, then row; empty strings are values', async () => {
      const profile = await engine.lookupProfile(scope([t], { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } }), { namespace: 'CRMID', id: 'C-9' });
      expect(profile?.attributes).toEqual({
        crmId: 'C-9',
        ts: '2025-03-01T12:00:00.000Z',
        v: 'b-1', // b.csv after a.csv within t1
        x: 'row-2', // row 2 after row 1 of a.csv
        w: 'w-t2', // t2 after t1 in batchDirs, equal completion times
        u: '', // the empty string of t2 replaces 'text'
        y: 'newer', // the timestampField orders fragments, not the completion time
      });
      expect(profile?.lastModifiedAt).toBe(Date.UTC(2025, 2, 1, 12));
    });
  });

  describe('helpers', () => {
    it('gives the first listed dataset the highest precedence and unlisted ones none', () => {
      const rules: MergeRules = { identityGraph: 'pdg', attributeMerge: { type: 'dataSetPrecedence', order: ['x', 'y', 'z'] } };
      expect(['x', 'y', 'z', 'w'].map((id) => precedenceOf(rules, id))).toEqual([3, 2, 1, undefined]);
      expect(precedenceOf({ identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } }, 'w')).toBe(0);
    });

    it('shares one column per path across datasets, in first-declaration order', () => {
      const d1 = fixtureDataset('d1', { class: 'profile', fields: fields(['a', 'string'], ['b.c', 'integer']), identities: [] });
      const d2 = fixtureDataset('d2', { class: 'profile', fields: fields(['b.c', 'integer'], ['d', 'array', 'date']), identities: [] });
      expect(unionProfileFields([d1, d2]).map((field) => field.path)).toEqual(['a', 'b.c', 'd']);
    });
  });
});
