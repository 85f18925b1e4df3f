import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDataset, writeBatch, type FixtureDataset, type FixtureRecord } from '../../../test/support/lake-fixtures.js';
import type { LakeDataset, MergeRules } from '../engine.js';
import type { DatasetSchema } from '../lake-schema.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { createSourceViews } from './lake-sources-sql.js';
import { GRAPH_FILES, stitchIdentityGraph, type StitchOutcome } from './stitching-sql.js';

const PROFILE: DatasetSchema = { class: 'profile', fields: [], identities: [] };

describe('identity stitching in SQL', () => {
  let db: DuckDbDatabase;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-stitch-'));
  let counter = 0;

  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
  });
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Stitches `datasets`, then reads back `profile key → member identities (node order)`. */
  async function stitch(datasets: readonly LakeDataset[], type: MergeRules['identityGraph']): Promise<{ outcome: StitchOutcome; profiles: Record<string, string[]> }> {
    const out = path.join(tmp, `graph-${counter++}`);
    mkdirSync(out);
    const outcome = await db.withConnection(async (connection) => {
      const sources = await createSourceViews(connection, { profiles: datasets, events: [] });
      return stitchIdentityGraph(connection, sources.profiles, type, out);
    });
    const rows = await db.query(
      `SELECT k.ns || ':' || k.id AS key, list(i.ns || ':' || i.id ORDER BY i.node) AS members
       FROM read_parquet('${out}/${GRAPH_FILES.members}/*/*.parquet', hive_partitioning = false) m JOIN read_parquet('${out}/${GRAPH_FILES.identities}/*/*.parquet', hive_partitioning = false) i ON i.node = m.node
       JOIN read_parquet('${out}/${GRAPH_FILES.identities}/*/*.parquet', hive_partitioning = false) k ON k.node = m.profile GROUP BY ALL ORDER BY key`,
    );
    return { outcome, profiles: Object.fromEntries(rows.map((row) => [String(row['key']), row['members'] as string[]])) };
  }

  async function datasetOf(id: string, records: readonly FixtureRecord[], completedAt = '2025-01-01 00:00:00'): Promise<FixtureDataset> {
    const dataset = fixtureDataset(id, PROFILE);
    await writeBatch(db, path.join(tmp, 'lake'), dataset, { id: 'b1', completedAt, records });
    return dataset;
  }

  /** A 1,000-edge chain written with range(): record k links `n<p(k)>` and `n<p(k+1)>`. */
  async function chainDataset(id: string, position: string): Promise<FixtureDataset> {
    const dir = path.join(tmp, 'lake', id, 'b1');
    mkdirSync(dir, { recursive: true });
    const node = (k: string) => `printf('n%04d', ${position.replaceAll('k', k)})`;
    await db.query(
      `COPY (SELECT 'chain.csv' AS "$file", k + 1 AS "$row",
         [{'ns': 'Chain', 'id': ${node('k')}}, {'ns': 'Chain', 'id': ${node('(k + 1)')}}]::STRUCT(ns VARCHAR, id VARCHAR)[] AS "$identities",
         'Chain' AS "$primary_ns", ${node('k')} AS "$primary_id", TIMESTAMP '2025-01-01' AS "$fragment_time", TIMESTAMP '2025-01-01' AS "$batch_completed_at"
       FROM range(1000) t(k)) TO '${dir}/part-00000.parquet' (FORMAT parquet)`,
    );
    return { ...fixtureDataset(id, PROFILE), batchDirs: [dir] };
  }

  const allChain = Array.from({ length: 1001 }, (_, k) => `Chain:n${String(k).padStart(4, '0')}`);

  it.each([
    ['in key order', 'k'],
    ['in reverse key order', '(1000 - k)'],
    ['in a scrambled order (k × 389 mod 1001)', '((k * 389) % 1001)'],
  ])('stitches a 1,000-link chain laid out %s into one profile in a logarithmic number of iterations', async (_name, position) => {
    const { outcome, profiles } = await stitch([await chainDataset(`chain-${counter}`, position)], 'pdg');
    expect(Object.keys(profiles)).toEqual(['Chain:n0000']);
    expect(profiles['Chain:n0000']).toEqual(allChain);
    expect(outcome.nodes).toBe(1001);
    // Plain min-label propagation needs ~1,000 iterations here; hooking + pointer jumping needs about log2(1001) ≈ 10 (11 measured).
    expect(outcome.iterations).toBeLessThanOrEqual(15);
  });

  it('stitches a cycle into one profile and keeps a separate pair apart', async () => {
    const dataset = await datasetOf('cycle', [
      { identities: [['Ring', 'c'], ['Ring', 'd']] },
      { identities: [['Ring', 'd'], ['Ring', 'a']] },
      { identities: [['Ring', 'a'], ['Ring', 'b']] },
      { identities: [['Ring', 'b'], ['Ring', 'c']] },
      { identities: [['Ring', 'y'], ['Ring', 'x']] },
    ]);
    const { profiles } = await stitch([dataset], 'pdg');
    expect(profiles).toEqual({ 'Ring:a': ['Ring:a', 'Ring:b', 'Ring:c', 'Ring:d'], 'Ring:x': ['Ring:x', 'Ring:y'] });
  });

  it('stitches a 300-identity profile from one wide record and 150 linking records', async () => {
    const emails = Array.from({ length: 149 }, (_, k) => ['Email', `h${String(k).padStart(3, '0')}@x.com`] as const);
    const wide: FixtureRecord = { identities: [['CRMID', 'H-1'], ...emails] };
    const links: FixtureRecord[] = Array.from({ length: 150 }, (_, k) => ({
      identities: [['Phone', `+1${String(k).padStart(4, '0')}`], ['Email', `h${String(k % 149).padStart(3, '0')}@x.com`]],
    }));
    const { profiles } = await stitch([await datasetOf('wide', [wide, ...links])], 'pdg');
    expect(Object.keys(profiles)).toEqual(['CRMID:H-1']);
    const members = profiles['CRMID:H-1'] ?? [];
    expect(members).toHaveLength(300);
    expect(members.slice(0, 3)).toEqual(['CRMID:H-1', 'Email:h000@x.com', 'Email:h001@x.com']);
    expect(members.at(-1)).toBe('Phone:+10149');
  });

  it('compares namespaces case-insensitively and renders each in its first-used form', async () => {
    // Completed first, so its forms win: within it, row 1 comes before row 2 and position 1 before 2.
    const early = await datasetOf(
      'ns-early',
      [
        { file: 'a.csv', row: 1, identities: [['crmid', 'C2'], ['Email', 'a@x']] },
        { file: 'a.csv', row: 2, identities: [['ECID', 'E1'], ['email', 'b@x']] },
      ],
      '2025-01-01 00:00:00',
    );
    const late = await datasetOf(
      'ns-late',
      [
        { identities: [['CRMID', 'C1'], ['EMAIL', 'a@x']] },
        { identities: [['ecid', 'E1']] },
      ],
      '2025-01-02 00:00:00',
    );
    const { profiles } = await stitch([late, early], 'pdg');
    expect(profiles).toEqual({
      'crmid:C1': ['crmid:C1', 'crmid:C2', 'Email:a@x'],
      'ECID:E1': ['ECID:E1', 'Email:b@x'],
    });
  });

  it('picks the profile key by upper-cased namespace, then id in code-point order', async () => {
    const dataset = await datasetOf('order', [
      { identities: [['Zeta', 'a'], ['Cust', 'é'], ['cust', 'z'], ['Cust', 'b'], ['Cust', 'B']] },
      { identities: [['abd', '1'], ['ABC', '9']] },
    ]);
    const { profiles } = await stitch([dataset], 'pdg');
    // 'B' (U+0042) < 'b' (U+0062) < 'z' (U+007A) < 'é' (U+00E9); ABC < ABD.
    expect(profiles).toEqual({
      'ABC:9': ['ABC:9', 'abd:1'],
      'Cust:B': ['Cust:B', 'Cust:b', 'Cust:z', 'Cust:é', 'Zeta:a'],
    });
  });

  it('with identity graph none, a profile is its primary identity plus the identities of its records', async () => {
    const dataset = await datasetOf('none', [
      { identities: [['CRMID', 'C1'], ['Email', 'a@x']] },
      { identities: [['CRMID', 'C2'], ['Email', 'a@x']] },
      { identities: [['CRMID', 'C1'], ['Phone', '+1']] },
    ]);
    const { outcome, profiles } = await stitch([dataset], 'none');
    expect(outcome.iterations).toBe(0);
    expect(profiles).toEqual({ 'CRMID:C1': ['CRMID:C1', 'Email:a@x', 'Phone:+1'], 'CRMID:C2': ['CRMID:C2', 'Email:a@x'] });
  });

  it('builds an empty graph from a scope without batches', async () => {
    const { outcome, profiles } = await stitch([fixtureDataset('empty', PROFILE)], 'pdg');
    expect(outcome).toEqual({ nodes: 0, edges: 0, iterations: 1 });
    expect(profiles).toEqual({});
  });
});
