// exportMembers at scale: 200,000 members (plus second keys of the same profiles) exported under a small DuckDB memory
// limit (merging them all at once runs out of it: the export merges one shard of profiles at a time). How fast is a
// benchmark's question, not this test's.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields, fixtureDataset, type FixtureDataset } from '../../../test/support/lake-fixtures.js';
import type { MergeRules, ProfileScope } from '../engine.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbProfileEngine } from './duckdb-profiles.js';
import { DuckDbSegmentEngine } from './duckdb-segments.js';

const MEMBERS = 200_000;
const NOTE = 'x'.repeat(200);

describe('exportMembers at scale', () => {
  let db: DuckDbDatabase;
  let profiles: DuckDbProfileEngine;
  let segments: DuckDbSegmentEngine;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-member-export-scale-'));
  const crm: FixtureDataset = fixtureDataset('ds-crm', { class: 'profile', fields: fields(['name', 'string'], ['loyalty.points', 'integer'], ['note', 'string']), identities: [] });
  const snapshot = path.join(tmp, 'snapshot.parquet');
  const rules: MergeRules = { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } };
  const scope: ProfileScope = { sandboxId: 'sb', profileDatasets: [crm], eventDatasets: [], rules, derivedDir: path.join(tmp, 'derived') };

  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 256, threads: 2, tempDirectory: path.join(tmp, 'spill') });
    profiles = new DuckDbProfileEngine(db);
    segments = new DuckDbSegmentEngine(db, profiles);
    // One lake batch in the LAKE FORMAT (as lake-fixtures writes it), generated in SQL: profile i has CRMID C-i, and
    // every fourth one also Email e<i>@x.com.
    const dir = path.join(tmp, 'lake', crm.id, 'b-0');
    mkdirSync(dir, { recursive: true });
    await db.query(
      `COPY (SELECT 'N-' || i AS "name", (i % 1000)::BIGINT AS "loyalty.points", '${NOTE}' AS "note", 'in.csv' AS "$file", i + 1 AS "$row", ` +
        `CASE WHEN i % 4 = 0 THEN [{'ns': 'CRMID', 'id': 'C-' || i}, {'ns': 'Email', 'id': 'e' || i || '@x.com'}] ELSE [{'ns': 'CRMID', 'id': 'C-' || i}] END::STRUCT(ns VARCHAR, id VARCHAR)[] AS "$identities", ` +
        `'CRMID' AS "$primary_ns", 'C-' || i AS "$primary_id", TIMESTAMP '2025-01-01' AS "$fragment_time", TIMESTAMP '2025-01-01' AS "$batch_completed_at" ` +
        `FROM range(${MEMBERS}) AS t(i)) TO '${path.join(dir, 'part-00000.parquet')}' (FORMAT parquet)`,
    );
    crm.batchDirs.push(dir);
    // The snapshot: every CRMID key, and the Email key of every eighth profile (a second key of a profile already listed).
    await db.query(
      `COPY (SELECT * FROM (SELECT 'CRMID:C-' || i AS "profileKey", 'realized' AS "status", TIMESTAMP '2025-01-02' AS "lastQualificationTime" FROM range(${MEMBERS}) AS t(i) ` +
        `UNION ALL SELECT 'Email:e' || i || '@x.com', 'existing', TIMESTAMP '2025-01-03' FROM range(0, ${MEMBERS}, 8) AS t(i)) ORDER BY 1) TO '${snapshot}' (FORMAT parquet)`,
    );
    await profiles.derivedTables(scope);
  }, 120_000);
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('exports 200,000 members within a 256 MB DuckDB limit, to size-bounded files', async () => {
    const written = await segments.exportMembers({
      scope, fields: ['name', 'loyalty.points', 'note'], includeEmptyProfiles: false, workDir: path.join(tmp, 'work'), maxFileBytes: 16 * 1024 * 1024,
      sources: [{ snapshot: { path: snapshot }, statuses: ['realized', 'existing'], audienceId: 'seg' }],
    });
    try {
      expect(written.rows).toBe(MEMBERS);
      expect(written.byNamespace).toEqual({ CRMID: MEMBERS, Email: MEMBERS / 4 });
      const bytes = written.files.reduce((sum, file) => sum + file.bytes, 0);
      expect(bytes).toBeGreaterThan(60_000_000);
      expect(written.files.length).toBeGreaterThanOrEqual(Math.ceil(bytes / (16 * 1024 * 1024)));
      expect(written.files.every((file) => file.bytes <= 16 * 1024 * 1024)).toBe(true);
      // Spot check: the profile of an e-mail key, listed under both of its keys, is one row with the greatest key's status.
      const lines: string[] = [];
      for (const file of written.files) {
        let rest = '';
        for await (const chunk of file.read()) {
          const parts = (rest + Buffer.from(chunk).toString('utf8')).split('\n');
          rest = parts.pop() ?? '';
          lines.push(...parts.filter((line) => line.includes('"C-8"')));
        }
      }
      expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([{
        name: 'N-8', loyalty: { points: 8 }, note: NOTE,
        identityMap: { CRMID: [{ id: 'C-8', primary: true }], Email: [{ id: 'e8@x.com', primary: false }] },
        segmentMembership: { ups: { seg: { status: 'existing', lastQualificationTime: '2025-01-03T00:00:00.000Z' } } },
      }]);
    } finally {
      await written.discard();
    }
  }, 60_000);
});
