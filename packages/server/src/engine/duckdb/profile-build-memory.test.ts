// Building the derived profile tables within DuckDB's memory limit (issue 8, item 9), reproduced at small scale: a
// lake of 150,000 CRM records and as many events under a 96 MB limit. The former plan (one merged table: two window
// sorts over every fragment and an aggregate per attribute) ran out of memory here, as it did at 3M profiles with 2 GB.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LakeDataset, ProfileScope } from '../engine.js';
import { fields } from '../../../test/support/lake-fixtures.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbProfileEngine } from './duckdb-profiles.js';

const RECORDS = 150_000;

describe('profile tables built under a small memory limit', () => {
  let db: DuckDbDatabase;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-build-memory-'));
  const crm: LakeDataset = {
    id: 'ds-crm',
    schema: {
      class: 'profile',
      fields: fields(['crmId', 'string'], ['email', 'string'], ['name', 'string'], ['points', 'integer'], ['city', 'string'], ['updatedAt', 'date-time']),
      identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }, { path: 'email', namespace: 'Email', primary: false }],
      timestampField: 'updatedAt',
    },
    batchDirs: [path.join(tmp, 'lake', 'ds-crm', 'b1'), path.join(tmp, 'lake', 'ds-crm', 'b2')],
  };
  const web: LakeDataset = {
    id: 'ds-web',
    schema: { class: 'experienceEvent', fields: fields(['ecid', 'string'], ['email', 'string'], ['page', 'string']), identities: [{ path: 'ecid', namespace: 'ECID', primary: true }, { path: 'email', namespace: 'Email', primary: false }] },
    batchDirs: [path.join(tmp, 'lake', 'ds-web', 'e1')],
  };
  const scope: ProfileScope = {
    sandboxId: 'sb',
    profileDatasets: [crm],
    eventDatasets: [web],
    rules: { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } },
    derivedDir: path.join(tmp, 'derived'),
  };

  beforeAll(async () => {
    // The lake, written in its physical format (LAKE-FORMAT.md) straight from DuckDB: batch b2 updates every
    // third customer's points and city a day later.
    const writer = await DuckDbDatabase.open({ memoryLimitMb: 1024, threads: 2, tempDirectory: path.join(tmp, 'spill-writer') });
    const write = async (dir: string, select: string) => {
      mkdirSync(dir, { recursive: true });
      await writer.query(`COPY (${select}) TO '${path.join(dir, 'part-00000.parquet')}' (FORMAT parquet)`);
    };
    const crmRow = `'C-' || lpad(range::VARCHAR, 7, '0') AS crmId, 'p' || range || '@x.com' AS email`;
    await write(crm.batchDirs[0] ?? '', `SELECT ${crmRow}, 'Person ' || range AS name, range AS points, 'City ' || (range % 1000) AS city, TIMESTAMP '2025-01-01' + to_seconds(range) AS updatedAt, 'crm.csv' AS "$file", TIMESTAMP '2025-02-01' AS "$batch_completed_at" FROM range(${RECORDS})`);
    await write(crm.batchDirs[1] ?? '', `SELECT ${crmRow}, NULL::VARCHAR AS name, range * 10 AS points, 'Moved ' || range AS city, TIMESTAMP '2025-01-03' + to_seconds(range) AS updatedAt, 'crm2.csv' AS "$file", TIMESTAMP '2025-02-02' AS "$batch_completed_at" FROM range(0, ${RECORDS}, 3)`);
    await write(web.batchDirs[0] ?? '', `SELECT 'E-' || range AS ecid, CASE WHEN range % 2 = 0 THEN 'p' || range || '@x.com' END AS email, 'page ' || (range % 50) AS page, TIMESTAMP '2025-01-02' + to_seconds(range) AS timestamp, NULL::VARCHAR AS _id, 'web.csv' AS "$file", TIMESTAMP '2025-02-01' AS "$batch_completed_at" FROM range(${RECORDS})`);
    writer.close();
    db = await DuckDbDatabase.open({ memoryLimitMb: 96, threads: 2, tempDirectory: path.join(tmp, 'spill') });
  }, 120_000);
  afterAll(() => {
    db?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('builds the graph and profile tables (spilling), then answers lookups with the merged values', async () => {
    const engine = new DuckDbProfileEngine(db);
    // Customer 3 was updated by b2; customer 4 was not; both have an event under their e-mail (even ranges).
    expect(await engine.lookupProfile(scope, { namespace: 'CRMID', id: 'C-0000003' })).toMatchObject({
      profileKey: 'CRMID:C-0000003',
      attributes: { crmId: 'C-0000003', email: 'p3@x.com', name: 'Person 3', points: 30, city: 'Moved 3', updatedAt: new Date(Date.UTC(2025, 0, 3) + 3000).toISOString() },
      sources: ['ds-crm'],
    });
    const four = await engine.lookupProfile(scope, { namespace: 'Email', id: 'p4@x.com' });
    expect(four?.attributes).toEqual({ crmId: 'C-0000004', email: 'p4@x.com', name: 'Person 4', points: 4, city: 'City 4', updatedAt: new Date(Date.UTC(2025, 0, 1) + 4000).toISOString() });
    expect(four?.identities.map((identity) => `${identity.namespace}:${identity.id}`)).toEqual(['CRMID:C-0000004', 'ECID:E-4', 'Email:p4@x.com']);
    // Odd events carry no e-mail: a profile of their own, made of events only (fragment time = batch completion).
    expect(await engine.lookupProfile(scope, { namespace: 'ECID', id: 'E-5' })).toMatchObject({ profileKey: 'ECID:E-5', attributes: {}, sources: [], lastModifiedAt: Date.UTC(2025, 1, 1) });
    expect(await engine.countProfiles(scope)).toBe(RECORDS + RECORDS / 2);
  }, 300_000);
});
