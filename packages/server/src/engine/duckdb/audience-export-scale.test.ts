// exportAudience at scale: 1,000,000 members × 10 columns through mandatory filter, dedup and split, under a small
// export DuckDB memory limit (the rows, the dedup sort and the ordered output spill to tmp/). Row counts, file
// contents at the part boundaries and the dedup outcome are checked against values computed from the generator. How
// fast is a benchmark's question, not this test's.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV, exportRequest, fileText, openExportWorld, type ExportWorld } from '../../../test/support/export-fixtures.js';
import { fields, fixtureDataset, type FixtureDataset } from '../../../test/support/lake-fixtures.js';
import type { ExportColumn, ProfileScope } from '../engine.js';

const MEMBERS = 1_000_000;
const PART_ROWS = 300_000;
const FIELDS = fields(
  ['name', 'string'], ['email', 'string'], ['city', 'string'], ['points', 'integer'], ['score', 'number'],
  ['vip', 'boolean'], ['birth', 'date'], ['seen', 'date-time'], ['note', 'string'],
);

describe('exportAudience at scale', () => {
  let world: ExportWorld;
  let scope: ProfileScope;
  let snapshot: string;
  const crm: FixtureDataset = fixtureDataset('ds-crm', { class: 'profile', fields: FIELDS, identities: [] });

  beforeAll(async () => {
    world = await openExportWorld('audience-export-scale', 128);
    // Profile i: CRMID C-i (zero-padded, so node order = i), e-mail shared by pairs (i, i + 1 for even i), no e-mail
    // for every 10th profile (skipped as mandatory), note of 100 characters.
    const dir = path.join(world.lake, crm.id, 'b-0');
    mkdirSync(dir, { recursive: true });
    await world.db.query(
      `COPY (SELECT 'N-' || i AS "name", CASE WHEN i % 10 = 9 THEN NULL ELSE 'e' || (i // 2) || '@x.com' END AS "email", 'City ' || (i % 97) AS "city", ` +
        `(i % 1000)::BIGINT AS "points", i / 8.0 AS "score", i % 2 = 0 AS "vip", DATE '1970-01-01' + (i % 20000)::INTEGER AS "birth", ` +
        `TIMESTAMP '2025-01-01' + to_milliseconds(i) AS "seen", repeat('x', 100) AS "note", 'in.csv' AS "$file", i + 1 AS "$row", ` +
        `[{'ns': 'CRMID', 'id': 'C-' || lpad(i::VARCHAR, 7, '0')}]::STRUCT(ns VARCHAR, id VARCHAR)[] AS "$identities", 'CRMID' AS "$primary_ns", ` +
        `'C-' || lpad(i::VARCHAR, 7, '0') AS "$primary_id", TIMESTAMP '2025-01-01' AS "$fragment_time", TIMESTAMP '2025-01-01' AS "$batch_completed_at" ` +
        `FROM range(${MEMBERS}) AS t(i)) TO '${path.join(dir, 'part-00000.parquet')}' (FORMAT parquet)`,
    );
    crm.batchDirs.push(dir);
    scope = world.scope([crm], { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } });
    // Odd profiles qualified later: of each e-mail pair the odd one wins the dedup.
    snapshot = path.join(world.tmp, 'snapshot.parquet');
    await world.db.query(
      `COPY (SELECT 'CRMID:C-' || lpad(i::VARCHAR, 7, '0') AS "profileKey", 'realized' AS "status", TIMESTAMP '2025-02-01' + to_seconds(i % 2) AS "lastQualificationTime" ` +
        `FROM range(${MEMBERS}) AS t(i) ORDER BY 1) TO '${snapshot}' (FORMAT parquet)`,
    );
  }, 300_000);
  afterAll(() => world?.close());

  it('exports 1,000,000 members deduplicated by e-mail within a 128 MB export DuckDB, split into parts of 300,000 rows', async () => {
    const columns: ExportColumn[] = [
      ...FIELDS.map((field): ExportColumn => ({ kind: 'attribute', name: field.path, path: field.path })),
      { kind: 'membershipStatus', name: 'status' },
    ];
    const result = await world.engine.exportAudience(
      exportRequest(world, { scope, snapshot: { path: snapshot }, columns, mandatory: ['email'], dedupKey: ['email'], format: { ...CSV, compression: 'GZIP' }, maxFileRowCount: PART_ROWS }),
    );
    // Skipped: i % 10 = 9 (100,000). Pairs (2k, 2k+1) both kept unless one is skipped: 2k+1 ≡ 9 (mod 10) → 2k kept alone.
    const skipped = MEMBERS / 10;
    const rows = MEMBERS / 2;
    expect(result).toMatchObject({ inputRecordCount: MEMBERS, skippedRecordCount: skipped, outputRecordCount: rows, deduplicatedRowCount: MEMBERS - skipped - rows });
    expect(result.files.map((file) => file.rows)).toEqual([300_000, 200_000]);
    const [first, second] = result.files.map((file) => fileText(file.path).split('\n'));
    expect(first?.length).toBe(PART_ROWS + 2);
    // Kept rows in profile order: for pair k the odd profile 2k+1, or 2k when 2k+1 ≡ 9 (mod 10).
    const kept = (k: number) => (k % 5 === 4 ? 2 * k : 2 * k + 1);
    const line = (i: number) => {
      const birth = new Date(Date.UTC(1970, 0, 1) + (i % 20000) * 86_400_000).toISOString().slice(0, 10);
      const seen = new Date(Date.UTC(2025, 0, 1) + i).toISOString();
      return `N-${i},e${Math.floor(i / 2)}@x.com,City ${i % 97},${i % 1000},${String(i / 8)},${i % 2 === 0},${birth},${seen},${'x'.repeat(100)},Active`;
    };
    expect(first?.[0]).toBe(`${FIELDS.map((field) => field.path).join(',')},status`);
    expect(first?.slice(1, 6)).toEqual([0, 1, 2, 3, 4].map((k) => line(kept(k))));
    expect(first?.at(-2)).toBe(line(kept(PART_ROWS - 1)));
    expect(second?.[1]).toBe(line(kept(PART_ROWS)));
    expect(second?.at(-2)).toBe(line(kept(rows - 1)));
  }, 300_000);
});
