// Segment evaluation at scale: demo profiles and events ingested into a lake, the derived tables built once, then — in
// a child process with the default 2 GB DuckDB memory, so its peak RSS is its own — PQL audiences compiled
// by @activator/pql evaluated by the DuckDB segment engine: a first job (all realized), a second job against the first
// job's snapshots (statuses), a job of one profile-only audience, and a sampled preview.
// Sizes: BENCH_SEGMENT_SIZES (default 1000000) CRM profiles, a quarter as many loyalty members and
// BENCH_EVENTS_PER_PROFILE (default 10) events per profile. BENCH_KEEP_DIR keeps the lakes and derived tables.
// Needs `npm run build` (reads packages/server/dist and packages/pql/dist).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dist = new URL('../../packages/server/dist/', import.meta.url);
let modules;
try {
  modules = {
    demo: await import(new URL('demo/demo-data.js', dist).href),
    database: await import(new URL('engine/duckdb/duckdb-database.js', dist).href),
    ingestion: await import(new URL('engine/duckdb/duckdb-ingestion.js', dist).href),
  };
  await import(new URL('../../pql/dist/index.js', dist).href);
} catch {
  console.error('segments benchmark: packages/server/dist or packages/pql/dist is missing or stale; run `npm run build` first');
  process.exit(2);
}

const SIZES = (process.env.BENCH_SEGMENT_SIZES ?? '1000000').split(',').map(Number);
const EVENTS_PER_PROFILE = Number(process.env.BENCH_EVENTS_PER_PROFILE ?? 10);
const MEMORY_MB = Number(process.env.BENCH_MEMORY_MB ?? 2048);
const keep = process.env.BENCH_KEEP_DIR;
const root = keep ?? mkdtempSync(path.join(os.tmpdir(), 'activator-bench-segments-'));
const child = path.join(import.meta.dirname, 'segments-child.mjs');
const rows = [];
const notes = [
  `${os.availableParallelism()} threads, ${MEMORY_MB} MB DuckDB memory, pdg graph, timestampOrdered merge; N CRM profiles + N/4 loyalty members + ${EVENTS_PER_PROFILE}×N events`,
  'job = 5 audiences (2 profile-only, 2 over events, 1 inSegment); the derived tables (identity graph, fragments) are built first, timed apart',
  'peak RSS = max RSS of the child process: after the build, and at the end (evaluations included)',
];

try {
  for (const size of SIZES) {
    const lake = await prepareLake(size);
    const label = `${(size / 1e6).toLocaleString('en')}M profiles`;
    console.error(`segments benchmark: ${label}: evaluating…`);
    const result = await runChild({ lake, memoryMb: MEMORY_MB, work: path.join(root, `work-${size}`) });
    rows.push(
      { measurement: `${label}: derived tables build (not segmentation)`, value: round(result.buildMs / 1000), unit: 's' },
      { measurement: `${label}: job 1, 5 audiences`, value: round(result.job1Ms / 1000), unit: 's' },
      { measurement: `${label}: job 2, 5 audiences against job 1`, value: round(result.job2Ms / 1000), unit: 's' },
      { measurement: `${label}: job of 1 profile-only audience`, value: round(result.profileOnlyMs / 1000), unit: 's' },
      { measurement: `${label}: preview over events, sample of 10%`, value: round(result.previewMs / 1000), unit: 's' },
      { measurement: `${label}: peak RSS after the build`, value: result.rssAfterBuildMiB, unit: 'MiB' },
      { measurement: `${label}: peak RSS at the end`, value: result.maxRssMiB, unit: 'MiB' },
      { measurement: `${label}: profiles`, value: result.totalProfiles, unit: 'profiles' },
    );
    console.error(`segments benchmark: ${label}: ${JSON.stringify(result.counts)}`);
    if (!keep) rmSync(path.join(root, `lake-${size}`), { recursive: true, force: true });
  }
} finally {
  if (!keep) rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify({ rows, notes }));

function round(value) {
  return Number(value.toFixed(value >= 100 ? 0 : 2));
}

/** Generates and ingests the demo files of `size` profiles (reused from BENCH_KEEP_DIR when present). */
async function prepareLake(size) {
  const dir = path.join(root, `lake-${size}`);
  const manifest = path.join(dir, 'lake.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  const { generateDemoData } = modules.demo;
  const { DuckDbDatabase } = modules.database;
  const { DuckDbIngestionEngine } = modules.ingestion;
  const db = await DuckDbDatabase.open({ memoryLimitMb: MEMORY_MB, threads: os.availableParallelism(), tempDirectory: path.join(dir, 'spill') });
  try {
    console.error(`segments benchmark: generating ${size.toLocaleString('en')} profiles…`);
    const input = path.join(dir, 'in');
    const report = await generateDemoData({ profiles: size, events: size * EVENTS_PER_PROFILE, seed: 42, asOf: '2026-11-01', format: 'parquet', outDir: input }, { database: db });
    const ingestion = new DuckDbIngestionEngine(db);
    const datasets = [];
    for (const file of report.files) {
      console.error(`segments benchmark: ingesting ${file.fileName} (${file.rows.toLocaleString('en')} rows)…`);
      const lakeDir = path.join(dir, 'lake', file.dataset.file, 'batch-1');
      const result = await ingestion.ingest({
        sandboxId: 'bench', datasetId: file.dataset.file, batchId: 'batch-1', schema: file.dataset.schema, format: 'parquet',
        files: [{ name: file.fileName, path: file.path }], errorThreshold: undefined, completedAt: Date.parse('2026-11-01T00:00:00Z'),
        lakeDir, errorsDir: path.join(dir, 'errors', file.dataset.file), tmpDir: path.join(dir, 'tmp'),
      });
      if (result.status !== 'success') throw new Error(`${file.fileName}: ${result.status}`);
      datasets.push({ id: file.dataset.file, schema: file.dataset.schema, batchDirs: [lakeDir] });
    }
    rmSync(input, { recursive: true, force: true });
    const lake = { size, datasets, derivedDir: path.join(dir, 'derived') };
    writeFileSync(manifest, JSON.stringify(lake));
    return lake;
  } finally {
    db.close();
    rmSync(path.join(dir, 'spill'), { recursive: true, force: true });
  }
}

/** Runs segments-child.mjs with `job` and returns its JSON answer. */
function runChild(job) {
  rmSync(job.work, { recursive: true, force: true });
  mkdirSync(job.work, { recursive: true });
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    proc.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`child exited with ${code}`);
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
      } catch (error) {
        reject(error);
      } finally {
        rmSync(job.work, { recursive: true, force: true });
      }
    });
  });
}
