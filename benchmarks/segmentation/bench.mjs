// Segmentation at scale: demo profiles and events ingested into a lake; then, in a child process with the default
// 2 GB DuckDB memory (so its peak RSS is the evaluation's own), the profile tables are built once (not timed here:
// the profiles benchmark measures them), and the 20 audiences of audiences.mjs are evaluated two ways, in the same run:
// - job: the SegmentEngine evaluating the audiences compiled by packages/pql, as a segment job does (binding the
//   merged relations of the fields used, one statement per audience, a snapshot per audience);
// - hand-written: the same audiences written by hand in DuckDB SQL over the same merged relations.
// The headline ratio compares the 20 compiled statements with the 20 hand-written ones on the same relations (goal
// ≤ 1.2: the compiler's SQL as good as a person's); both forms must select the same profiles, or the benchmark fails.
// Sizes: BENCH_SEGMENT_SIZES (default 1000000) profiles each, BENCH_EVENTS_PER_PROFILE (default 10) events per profile.
// BENCH_KEEP_DIR keeps the generated lakes and reuses them.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareDemoLake, round } from '../support/demo-lake.mjs';

const SIZES = (process.env.BENCH_SEGMENT_SIZES ?? '1000000').split(',').map(Number);
const EVENTS_PER_PROFILE = Number(process.env.BENCH_EVENTS_PER_PROFILE ?? 10);
const MEMORY_MB = Number(process.env.BENCH_MEMORY_MB ?? 2048);
const keep = process.env.BENCH_KEEP_DIR;
const root = keep ?? mkdtempSync(path.join(os.tmpdir(), 'activator-bench-segmentation-'));
const rows = [];
const notes = [
  `${os.availableParallelism()} threads, ${MEMORY_MB} MB DuckDB memory; default merge policy (identity graph none, timestampOrdered); ` +
    `N CRM profiles + N/4 loyalty members + ${EVENTS_PER_PROFILE}×N events; 20 audiences (attributes, strings, arrays, time windows, event counts, sums, averages)`,
  'statements ratio = the 20 compiled statements / the 20 hand-written ones, each materialising its distinct members over the same relations (goal ≤ 1.2)',
  'job = SegmentEngine.evaluateSegments: relations of the used fields + 20 statements + 20 snapshots; job ratio = job / (relations + hand-written statements)',
];

try {
  for (const size of SIZES) {
    const label = `${(size / 1e6).toLocaleString('en')}M profiles`;
    const lake = await prepareDemoLake({ dir: path.join(root, `lake-${size}`), profiles: size, events: size * EVENTS_PER_PROFILE, memoryMb: MEMORY_MB, label: 'segmentation benchmark' });
    const work = path.join(root, `work-${size}`);
    console.error(`segmentation benchmark: ${label}: evaluating…`);
    const result = await runChild({ lake, memoryMb: MEMORY_MB, work });
    rows.push(
      { measurement: `${label}: 20 compiled statements`, value: round(result.compiledMs / 1000), unit: 's' },
      { measurement: `${label}: 20 hand-written statements (baseline)`, value: round(result.handMs / 1000), unit: 's' },
      { measurement: `${label}: compiled / hand-written statements`, value: round(result.compiledMs / result.handMs), unit: 'ratio' },
      { measurement: `${label}: relations of the used fields`, value: round(result.relationsMs / 1000), unit: 's' },
      { measurement: `${label}: segment job evaluation (20 audiences)`, value: round(result.jobMs / 1000), unit: 's' },
      { measurement: `${label}: job / (relations + hand-written)`, value: round(result.jobMs / (result.relationsMs + result.handMs)), unit: 'ratio' },
      { measurement: `${label}: second job (statuses against the first)`, value: round(result.secondJobMs / 1000), unit: 's' },
      { measurement: `${label}: preview over events, 10% sample`, value: round(result.previewMs / 1000), unit: 's' },
      { measurement: `${label}: members over all audiences`, value: result.members, unit: 'profiles' },
      { measurement: `${label}: profiles evaluated`, value: result.totalProfiles, unit: 'profiles' },
      { measurement: `${label}: peak RSS of the evaluating process`, value: result.maxRssMiB, unit: 'MiB' },
    );
    for (const audience of result.slowest) notes.push(`${label}: ${audience.name}: compiled ${round(audience.compiledMs)} ms, hand-written ${round(audience.handMs)} ms`);
    rmSync(work, { recursive: true, force: true });
    if (!keep) rmSync(path.join(root, `lake-${size}`), { recursive: true, force: true });
  }
} finally {
  if (!keep) rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify({ rows, notes }));

function runChild(job) {
  rmSync(job.work, { recursive: true, force: true });
  mkdirSync(job.work, { recursive: true });
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(import.meta.dirname, 'evaluate-child.mjs'), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    proc.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`evaluating child exited with ${code}`);
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
      } catch (error) {
        reject(error);
      }
    });
  });
}
