// The export benchmark's inputs: a demo lake of N CRM customers, its derived profile tables, and one audience
// snapshot whose members are every CRM customer — written directly with DuckDB in the snapshot format of
// segment jobs (SnapshotFile: `profileKey`, `status`, `lastQualificationTime`, sorted by key) — plus the 10 columns
// a flow maps and the request the export engine receives. Reused from `<dir>/fixture.json` when it exists.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lakeScope, loadServerModules, prepareDemoLake } from '../support/demo-lake.mjs';

/** pdg: a customer's CRM and loyalty records are one profile (stitched on e-mail), so attributes come from both datasets. */
export const RULES = { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } };
export const AUDIENCE_ID = 'a0000000-0000-4000-8000-000000000001';
/** Snapshot members qualified on days before this (a segment job's evaluatedAt). */
const EVALUATED_AT = Date.parse('2026-11-01T00:00:00Z');

/**
 * The 10 mapped columns (SPEC §7.5): the Email identity (so, per SPEC, also mandatory and the dedup key), eight merged
 * attributes of both profile datasets (strings and an integer) and the membership status.
 */
export const COLUMNS = [
  { kind: 'identity', name: 'Email', namespace: 'Email' },
  ...['crmId', 'person.name.firstName', 'person.name.lastName', 'mobilePhone.number', 'homeAddress.city', 'homeAddress.postalCode', 'loyalty.tier', 'loyalty.points'].map(
    (attributePath) => ({ kind: 'attribute', name: attributePath.replaceAll('.', '_'), path: attributePath }),
  ),
  { kind: 'membershipStatus', name: 'segmentMembership_status' },
];
export const MANDATORY = ['Email'];
export const DEDUP_KEY = ['Email'];

/** The formats benchmarked, with their file extension (SPEC §6.4) and the DuckDB COPY options that write the same. */
export const FORMATS = {
  'CSV.gz': { fileType: 'CSV', compression: 'GZIP', extension: 'csv.gz', copyOptions: "FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\\', COMPRESSION gzip" },
  'JSON.gz': { fileType: 'JSON', compression: 'GZIP', extension: 'json.gz', copyOptions: 'FORMAT json, COMPRESSION gzip' },
  Parquet: { fileType: 'PARQUET', compression: 'GZIP', extension: 'parquet', copyOptions: 'FORMAT parquet, COMPRESSION gzip' },
};

/** SPEC §6.4 default CSV options. */
export const CSV_OPTIONS = { delimiter: ',', quote: '"', escape: '\\', nullValue: '', emptyValue: '', header: true, quoteAll: false };

/**
 * Builds (or reuses) the lake, the derived tables and the snapshot for `members` CRM customers under `dir`.
 * @returns `{ members, lake, snapshot, derivedDir, lakeBytes }` (JSON-serialisable: children get it in argv).
 */
export async function prepareExportFixture({ dir, members, memoryMb }) {
  const manifest = path.join(dir, 'fixture.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8'));
  // Events do not reach an export's columns: a token number keeps the event dataset real without costing time.
  const lake = await prepareDemoLake({ dir: path.join(dir, 'lake'), profiles: members, events: 1000, memoryMb, label: 'export benchmark' });
  const derivedDir = path.join(dir, 'derived');
  const snapshot = path.join(dir, 'snapshot.parquet');
  const { database, profiles, shards } = await loadServerModules(
    { database: 'engine/duckdb/duckdb-database.js', profiles: 'engine/duckdb/duckdb-profiles.js', shards: 'engine/duckdb/sharded-parquet.js' },
    'export',
  );
  const db = await database.DuckDbDatabase.open({ memoryLimitMb: memoryMb, threads: os.availableParallelism(), tempDirectory: path.join(dir, 'spill') });
  try {
    console.error(`export benchmark: building the derived profile tables of ${members.toLocaleString('en')} customers…`);
    const tables = await new profiles.DuckDbProfileEngine(db).derivedTables(lakeScope(lake, RULES, derivedDir));
    console.error('export benchmark: writing the audience snapshot…');
    // Every profile holding a CRMID, under its key identity (pdg: its smallest identity — the node numbered as the
    // profile); 1 in 5 members `existing` since an earlier job, qualification days spread over a month.
    const members_ = shards.readAllShardsSql(tables.members);
    await db.query(
      `COPY (SELECT "$key".ns || ':' || "$key".id AS "profileKey", CASE WHEN "$key".profile % 5 = 0 THEN 'existing' ELSE 'realized' END AS "status", ` +
        `make_timestamp(${EVALUATED_AT * 1000} - ("$key".profile % 30) * 86400000000) AS "lastQualificationTime" ` +
        `FROM ${members_} AS "$key" WHERE "$key".node = "$key".profile AND "$key".profile IN (SELECT profile FROM ${members_} WHERE nsu = 'CRMID') ` +
        `ORDER BY "profileKey") TO '${snapshot.replaceAll("'", "''")}' (FORMAT parquet)`,
    );
    const [{ count }] = await db.query(`SELECT count(*)::INTEGER AS count FROM read_parquet('${snapshot.replaceAll("'", "''")}')`);
    if (count !== members) throw new Error(`the snapshot has ${count} members, expected ${members} (one per CRM customer)`);
  } finally {
    db.close();
    rmSync(path.join(dir, 'spill'), { recursive: true, force: true });
  }
  const fixture = { members, lake, snapshot, derivedDir, lakeBytes: lake.lakeBytes };
  writeFileSync(manifest, JSON.stringify(fixture));
  return fixture;
}

/** The AudienceExportRequest (engine.ts) of one format for a fixture, staged into `workDir`. */
export function exportRequest(fixture, format, workDir) {
  const { fileType, compression } = FORMATS[format];
  return {
    scope: lakeScope(fixture.lake, RULES, fixture.derivedDir), audienceId: AUDIENCE_ID, snapshot: { path: fixture.snapshot }, includeExpired: false,
    columns: COLUMNS, mandatory: MANDATORY, dedupKey: DEDUP_KEY, format: { fileType, compression, csv: CSV_OPTIONS },
    maxFileRowCount: 5_000_000, workDir,
  };
}
