import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'vitest';
import type { LakeDataset, ProfileScope } from '../engine.js';
import { fields } from '../../../test/support/lake-fixtures.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbProfileEngine } from './duckdb-profiles.js';
import { DuckDbSegmentEngine } from './duckdb-segments.js';

const P = Number(process.env.P ?? 1_000_000);
const E = Number(process.env.E ?? 10_000_000);
const MEM = Number(process.env.MEM ?? 2048);
it('scale', async () => {
  const tmp = mkdtempSync(path.join('/work/wt-engine', '.scale-'));
  const crm: LakeDataset = { id: 'ds-crm', schema: { class: 'profile', fields: fields(['crmId', 'string'], ['email', 'string'], ['name', 'string'], ['points', 'integer'], ['city', 'string'], ['updatedAt', 'date-time']), identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }, { path: 'email', namespace: 'Email', primary: false }], timestampField: 'updatedAt' }, batchDirs: [path.join(tmp, 'lake', 'crm', 'b1')] };
  const web: LakeDataset = { id: 'ds-web', schema: { class: 'experienceEvent', fields: fields(['ecid', 'string'], ['email', 'string'], ['page', 'string'], ['amount', 'number']), identities: [{ path: 'ecid', namespace: 'ECID', primary: true }, { path: 'email', namespace: 'Email', primary: false }] }, batchDirs: [path.join(tmp, 'lake', 'web', 'e1')] };
  const scope: ProfileScope = { sandboxId: 'sb', profileDatasets: [crm], eventDatasets: [web], rules: { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } }, derivedDir: path.join(tmp, 'derived') };
  const writer = await DuckDbDatabase.open({ memoryLimitMb: 2048, threads: 2, tempDirectory: path.join(tmp, 'spill-w') });
  const write = async (dir: string, select: string) => { mkdirSync(dir, { recursive: true }); await writer.query(`COPY (${select}) TO '${path.join(dir, 'part-00000.parquet')}' (FORMAT parquet)`); };
  await write(crm.batchDirs[0]!, `SELECT 'C-' || range AS crmId, 'p' || range || '@x.com' AS email, 'Person ' || range AS name, range AS points, 'City ' || (range % 1000) AS city, TIMESTAMP '2025-01-01' + to_seconds(range) AS updatedAt, 'crm.csv' AS "$file", TIMESTAMP '2025-02-01' AS "$batch_completed_at" FROM range(${P})`);
  await write(web.batchDirs[0]!, `SELECT 'E-' || (range % ${P}) AS ecid, CASE WHEN range < ${P} THEN 'p' || range || '@x.com' END AS email, 'page ' || (range % 50) AS page, (range % 1000) / 10.0 AS amount, TIMESTAMP '2025-01-02' + to_seconds(range) AS timestamp, NULL::VARCHAR AS _id, 'web.csv' AS "$file", TIMESTAMP '2025-02-01' AS "$batch_completed_at" FROM range(${E})`);
  writer.close();
  const db = await DuckDbDatabase.open({ memoryLimitMb: MEM, threads: 2, tempDirectory: path.join(tmp, 'spill') });
  const profiles = new DuckDbProfileEngine(db);
  let peak = 0;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
  let t = Date.now();
  await profiles.derivedTables(scope);
  console.log('derived', Date.now() - t, 'ms rss', Math.round(peak / 1e6));
  peak = 0;
  t = Date.now();
  const seg = new DuckDbSegmentEngine(db, profiles);
  const result = await seg.evaluateSegments({
    scope, dependencies: new Map(), previous: new Map(), evaluatedAt: Date.UTC(2025, 5, 1), outputDir: path.join(tmp, 'out'),
    audiences: [
      { id: 'a', sql: `SELECT p."$profile" FROM "$profiles" p WHERE coalesce(p."points" % 3 = 0 AND p."city" LIKE 'City 1%', false)`, parameters: [], fields: ['points', 'city'] },
      { id: 'b', sql: `SELECT p."$profile" FROM "$profiles" p WHERE coalesce((SELECT sum(e."amount") FROM "$events" e WHERE e."$profile" = p."$profile" AND e."page" = 'page 7') > 50, false)`, parameters: [], fields: ['xEvent.amount', 'xEvent.page'] },
    ],
  });
  console.log('evaluate', Date.now() - t, 'ms rss', Math.round(peak / 1e6), JSON.stringify(result));
  peak = 0; t = Date.now();
  const first = await seg.evaluateSegments({ scope, dependencies: new Map(), previous: new Map([['a', { path: path.join(tmp, 'out', 'a.parquet') }]]), evaluatedAt: Date.UTC(2025, 5, 2), outputDir: path.join(tmp, 'out2'),
    audiences: [{ id: 'a', sql: `SELECT p."$profile" FROM "$profiles" p WHERE coalesce(p."points" % 2 = 0 AND p."city" LIKE 'City 1%', false)`, parameters: [], fields: ['points', 'city'] }] });
  console.log('evaluate2', Date.now() - t, 'ms rss', Math.round(peak / 1e6), JSON.stringify(first));
  peak = 0; t = Date.now();
  const pv = await seg.previewSegment({ scope, query: { id: 'a', sql: `SELECT p."$profile" FROM "$profiles" p WHERE coalesce(p."points" % 3 = 0, false)`, parameters: [], fields: ['points'] }, external: new Map(), sampleSize: 100000, limit: 20 });
  console.log('preview', Date.now() - t, 'ms rss', Math.round(peak / 1e6), pv.estimatedSize, pv.standardError, pv.members.length);
  clearInterval(timer);
  db.close();
  rmSync(tmp, { recursive: true, force: true });
}, 3_600_000);
