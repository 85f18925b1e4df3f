// Ingestion: demo profiles and events ingested (validated, identities extracted, written to the lake) from CSV,
// NDJSON and Parquet, against a same-run baseline of DuckDB reading the same file straight to Parquet. Then stitching
// (pdg) and merging of all profiles, with the process's peak RSS: the graph never lives in JavaScript memory.
// Sizes: BENCH_PROFILES (default 1,000,000) and BENCH_EVENTS (default 10,000,000); BENCH_ROUNDS (default 2) runs of
// each side, the best counting.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dist = new URL('../../packages/server/dist/', import.meta.url);
let modules;
try {
  modules = {
    demo: await import(new URL('demo/demo-data.js', dist).href),
    database: await import(new URL('engine/duckdb/duckdb-database.js', dist).href),
    ingestion: await import(new URL('engine/duckdb/duckdb-ingestion.js', dist).href),
    profiles: await import(new URL('engine/duckdb/duckdb-profiles.js', dist).href),
  };
} catch {
  console.error('ingest benchmark: packages/server/dist is missing or stale; run `npm run build` first');
  process.exit(2);
}
const { generateDemoData } = modules.demo;
const { DuckDbDatabase } = modules.database;
const { DuckDbIngestionEngine } = modules.ingestion;
const { DuckDbProfileEngine } = modules.profiles;

const PROFILES = Number(process.env.BENCH_PROFILES ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const FORMATS = (process.env.BENCH_FORMATS ?? 'csv,ndjson,parquet').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const READERS = { csv: "read_csv(?, header = true, all_varchar = true)", ndjson: 'read_json_auto(?, format = \'newline_delimited\')', parquet: 'read_parquet(?)' };
const INPUT_FORMAT = { csv: 'csv', ndjson: 'json', parquet: 'parquet' };

const root = mkdtempSync(path.join(os.tmpdir(), 'activator-bench-ingest-'));
const rows = [];
const notes = [`${PROFILES.toLocaleString('en')} CRM profiles, ${(PROFILES / 4).toLocaleString('en')} loyalty members, ${EVENTS.toLocaleString('en')} events; ${os.availableParallelism()} threads, 2 GB DuckDB memory`];
const db = await DuckDbDatabase.open({ memoryLimitMb: 2048, threads: os.availableParallelism(), tempDirectory: path.join(root, 'spill') });
const ingestion = new DuckDbIngestionEngine(db);

try {
  const lakeByFormat = {};
  for (const format of FORMATS) {
    const dataDir = path.join(root, format);
    console.error(`ingest benchmark: generating ${format} demo data…`);
    const report = await generateDemoData({ profiles: PROFILES, events: EVENTS, seed: 42, asOf: '2026-11-01', format, outDir: path.join(dataDir, 'in') }, { database: db });
    const lake = [];
    for (const file of report.files) {
      // Baseline (DuckDB alone, the same file straight to Parquet) and Activator (validation, identities, lake
      // layout), alternated ROUNDS times; the best time of each counts (the 2 cores are shared: single runs swing).
      const baselineOut = path.join(dataDir, `baseline-${file.dataset.file}.parquet`);
      const reader = READERS[format].replace('?', `'${file.path.replaceAll("'", "''")}'`);
      const lakeDir = path.join(dataDir, 'lake', file.dataset.file, 'batch-1');
      let baselineMs = Infinity;
      let ingestMs = Infinity;
      for (let round = 0; round < ROUNDS; round++) {
        let started = performance.now();
        await db.query(`COPY (SELECT * FROM ${reader}) TO '${baselineOut.replaceAll("'", "''")}' (FORMAT parquet)`);
        baselineMs = Math.min(baselineMs, performance.now() - started);
        rmSync(baselineOut, { force: true });
        rmSync(lakeDir, { recursive: true, force: true });
        console.error(`ingest benchmark: ingesting ${file.fileName} (${file.rows.toLocaleString('en')} rows), round ${round + 1} of ${ROUNDS}…`);
        started = performance.now();
        const result = await ingestion.ingest({
          sandboxId: 'bench', datasetId: file.dataset.file, batchId: `bench-${format}-${file.dataset.file}`, schema: file.dataset.schema,
          format: INPUT_FORMAT[format], files: [{ name: file.fileName, path: file.path }], errorThreshold: undefined, completedAt: Date.parse('2026-11-01T00:00:00Z'),
          lakeDir, errorsDir: path.join(dataDir, 'errors', file.dataset.file), tmpDir: path.join(dataDir, 'tmp'),
        });
        ingestMs = Math.min(ingestMs, performance.now() - started);
        if (result.status !== 'success') throw new Error(`${file.fileName}: ${result.status} ${JSON.stringify(result.failedRows.slice(0, 3))}`);
      }
      const label = `${format} ${file.dataset.file}`;
      rows.push(
        { measurement: `${label}: ingest`, value: Math.round(file.rows / (ingestMs / 1000)), unit: 'records/s' },
        { measurement: `${label}: DuckDB file → Parquet`, value: Math.round(file.rows / (baselineMs / 1000)), unit: 'records/s' },
        { measurement: `${label}: ingest / baseline`, value: Number((baselineMs / ingestMs).toFixed(3)), unit: 'ratio' },
      );
      lake.push({ id: file.dataset.file, schema: file.dataset.schema, batchDirs: [lakeDir] });
    }
    lakeByFormat[format] = lake;
    rmSync(path.join(dataDir, 'in'), { recursive: true, force: true });
  }
  const lake = lakeByFormat[FORMATS.at(-1)];
  const scope = {
    sandboxId: 'bench', rules: { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } }, derivedDir: path.join(root, 'derived'),
    profileDatasets: lake.filter((d) => d.schema.class === 'profile'), eventDatasets: lake.filter((d) => d.schema.class === 'experienceEvent'),
  };
  mkdirSync(scope.derivedDir, { recursive: true });
  console.error('ingest benchmark: stitching (pdg) and merging…');
  const peakBefore = process.resourceUsage().maxRSS;
  const started = performance.now();
  const count = await new DuckDbProfileEngine(db).countProfiles(scope);
  const stitchMs = performance.now() - started;
  rows.push(
    { measurement: 'stitch + merge (pdg, all records and events)', value: Number((stitchMs / 1000).toFixed(2)), unit: 's' },
    { measurement: 'profiles after stitching', value: count, unit: 'profiles' },
    { measurement: 'peak RSS before stitching (generation + ingestion)', value: Math.round(peakBefore / 1024), unit: 'MiB' },
    { measurement: 'peak RSS after stitching', value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MiB' },
  );
  notes.push(`ratio = baseline time / ingest time, best of ${ROUNDS} alternated runs each (1.0 = as fast as DuckDB copying the file; goal ≥ 0.7)`);
  notes.push(`lake sizes: ${FORMATS.map((f) => `${f} ${Math.round(dirSize(path.join(root, f, 'lake')) / 1_048_576)} MiB`).join(', ')}`);
} finally {
  db.close();
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify({ rows, notes }));

function dirSize(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}
