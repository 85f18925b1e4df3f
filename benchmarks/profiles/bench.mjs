// Profiles at scale: demo profiles and events ingested into a lake, then — in a child process with the default
// 2 GB DuckDB memory, so its peak RSS is the build's own — the derived identity graph and profile tables built by
// the first lookup, then cold and warm point lookups. Baseline (same run, same rows, same memory limit, its own
// child): DuckDB sorting every profile and event row by its primary id into Parquet, the least a build must do.
// Sizes: BENCH_PROFILE_SIZES (default 1000000,3000000,10000000) CRM profiles each, with a quarter as many loyalty
// members and BENCH_EVENTS_PER_PROFILE (default 1) events per profile. BENCH_KEEP_DIR keeps the generated lakes
// there and reuses them on the next run (for iterating on the engine).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareDemoLake, round } from '../support/demo-lake.mjs';

const SIZES = (process.env.BENCH_PROFILE_SIZES ?? '1000000,3000000,10000000').split(',').map(Number);
const EVENTS_PER_PROFILE = Number(process.env.BENCH_EVENTS_PER_PROFILE ?? 1);
const MEMORY_MB = Number(process.env.BENCH_MEMORY_MB ?? 2048);
const keep = process.env.BENCH_KEEP_DIR;
const root = keep ?? mkdtempSync(path.join(os.tmpdir(), 'activator-bench-profiles-'));
const child = path.join(import.meta.dirname, 'build-child.mjs');
const rows = [];
const notes = [
  `${os.availableParallelism()} threads, ${MEMORY_MB} MB DuckDB memory (ACTIVATOR_QUERY_MEMORY_MB default), pdg graph, timestampOrdered merge; ` +
    `N CRM profiles + N/4 loyalty members + ${EVENTS_PER_PROFILE}×N events`,
  'build = first lookup (identity graph + profile tables); peak RSS = max RSS of the child process doing it',
  'baseline = DuckDB sorting the same profile and event rows by primary id into Parquet, in its own child process; ratio = build / baseline',
];

try {
  for (const size of SIZES) {
    const lake = await prepareDemoLake({ dir: path.join(root, `lake-${size}`), profiles: size, events: size * EVENTS_PER_PROFILE, memoryMb: MEMORY_MB, label: 'profiles benchmark' });
    const label = `${(size / 1e6).toLocaleString('en')}M profiles`;
    console.error(`profiles benchmark: ${label}: baseline…`);
    const baseline = await runChild({ mode: 'baseline', lake, memoryMb: MEMORY_MB, work: path.join(root, `work-${size}`) });
    console.error(`profiles benchmark: ${label}: build and lookups…`);
    const build = await runChild({ mode: 'build', lake, memoryMb: MEMORY_MB, work: path.join(root, `work-${size}`) });
    rows.push(
      { measurement: `${label}: build (first lookup)`, value: round(build.buildMs / 1000), unit: 's' },
      { measurement: `${label}: baseline (DuckDB sort to Parquet)`, value: round(baseline.ms / 1000), unit: 's' },
      { measurement: `${label}: build / baseline`, value: round(build.buildMs / baseline.ms), unit: 'ratio' },
      { measurement: `${label}: first lookup after the build`, value: round(build.firstLookupMs), unit: 'ms' },
      { measurement: `${label}: warm lookup (median of ${build.lookups})`, value: round(build.warmMedianMs), unit: 'ms' },
      { measurement: `${label}: warm lookup (p95)`, value: round(build.warmP95Ms), unit: 'ms' },
      { measurement: `${label}: peak RSS of the build process`, value: build.maxRssMiB, unit: 'MiB' },
      { measurement: `${label}: peak RSS of the baseline process`, value: baseline.maxRssMiB, unit: 'MiB' },
      { measurement: `${label}: profiles`, value: build.profiles, unit: 'profiles' },
    );
    if (!keep) rmSync(path.join(root, `lake-${size}`), { recursive: true, force: true });
    rmSync(path.join(root, `work-${size}`), { recursive: true, force: true });
  }
} finally {
  if (!keep) rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify({ rows, notes }));



/** Runs build-child.mjs with `job` and returns its JSON answer plus its max RSS. */
function runChild(job) {
  rmSync(job.work, { recursive: true, force: true });
  mkdirSync(job.work, { recursive: true });
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    proc.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`${job.mode} child exited with ${code}`);
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
      } catch (error) {
        reject(error);
      }
    });
  });
}

