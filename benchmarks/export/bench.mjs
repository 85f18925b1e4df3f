// Export at scale (issue 10): an audience of N members × 10 columns exported to CSV.gz, JSON.gz and Parquet, to the
// Data Landing Zone (a local directory) and to SFTP on an OpenSSH sshd on loopback started here. Each scenario runs in
// its own child process with the export memory limit (ACTIVATOR_EXPORT_MEMORY_MB default, 384 MB), so its peak RSS is
// the export's own. In the same run, the baseline (baseline-child.mjs): DuckDB computing the same rows and `COPY … TO`
// each format, plus OpenSSH's `sftp put` of that file. Throughput = rows written / seconds; ratio = export throughput /
// baseline throughput (goal ≥ 0.7 against CSV.gz + sftp put); peak RSS goal ≤ 512 MB at 10M. Every export's rows are
// compared with the baseline's (DuckDB readers, values as text): a differing row is reported, never hidden.
// Environment: BENCH_EXPORT_SIZES (default 1000000), BENCH_EXPORT_10M=1 adds the 10M run (CSV.gz only unless
// BENCH_EXPORT_FORMATS says otherwise; ~10 more minutes), BENCH_EXPORT_FORMATS (CSV.gz,JSON.gz,Parquet),
// BENCH_MEMORY_MB (export DuckDB memory, 384), BENCH_BASELINE_MEMORY_MB (baseline and fixture building, 8192),
// BENCH_EXPORT_REPEAT (runs per scenario, fastest kept, 2), BENCH_KEEP_DIR (reuse lakes). The export child also
// opens the query instance (2048 MB) as the server does.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadServerModules, round } from '../support/demo-lake.mjs';
import { sshdUnavailable, startSshd } from '../support/sshd.mjs';
import { compareWithBaseline, dataFilesIn } from './compare-files.mjs';
import { COLUMNS, FORMATS, prepareExportFixture } from './fixture.mjs';

const SIZES = (process.env.BENCH_EXPORT_SIZES ?? '1000000').split(',').map(Number);
if (process.env.BENCH_EXPORT_10M === '1' && !SIZES.includes(10_000_000)) SIZES.push(10_000_000);
const ALL_FORMATS = Object.keys(FORMATS);
const chosenFormats = process.env.BENCH_EXPORT_FORMATS?.split(',');
const formatsFor = (size) => chosenFormats ?? (size >= 10_000_000 ? ['CSV.gz'] : ALL_FORMATS);
const MEMORY_MB = Number(process.env.BENCH_MEMORY_MB ?? 384);
// Building the derived tables of 10M profiles needs more than 2 GB; the baseline's one-statement merge of 1M profiles
// needs more than the export's 384 MB (and that of 10M more than 8 GB: no baseline at 10M).
const BASELINE_MEMORY_MB = Number(process.env.BENCH_BASELINE_MEMORY_MB ?? 8192);
const QUERY_MEMORY_MB = 2048;
/** Each baseline and scenario runs this many times in a row; the fastest run counts (the machine is shared), the highest RSS. */
const REPEAT = Number(process.env.BENCH_EXPORT_REPEAT ?? 2);
const keep = process.env.BENCH_KEEP_DIR;
const root = keep ?? mkdtempSync(path.join(os.tmpdir(), 'activator-bench-export-'));
const resultsFile = path.join(import.meta.dirname, 'results.json');

const rows = [];
const scenarios = [];
const notes = [
  `${os.availableParallelism()} threads; export DuckDB ${MEMORY_MB} MB, baseline DuckDB ${BASELINE_MEMORY_MB} MB; demo lake (pdg, timestampOrdered): N CRM customers + N/4 loyalty members; ` +
    'audience = every CRM customer; 10 columns: Email identity (mandatory, dedup key: SPEC §7.5), 8 merged attributes, membership status',
  'baseline = members ⋈ merged attributes (createProfilesRelation) ⋈ e-mail identities, QUALIFY-deduplicated, DuckDB COPY TO the format (+ OpenSSH sftp put for SFTP)',
  'ratio = export rows/s ÷ baseline rows/s; "vs CSV.gz" is the issue goal (≥ 0.7) against the CSV.gz baseline of the same destination',
];
const unavailable = sshdUnavailable();
if (unavailable !== undefined) notes.push(`SFTP scenarios skipped: ${unavailable}`);
const sshd = unavailable === undefined ? await startSshd() : undefined;
const stop = async () => {
  await sshd?.stop();
  if (!keep) rmSync(root, { recursive: true, force: true });
};
process.once('SIGINT', () => void stop().then(() => process.exit(130)));

try {
  const { database } = await loadServerModules({ database: 'engine/duckdb/duckdb-database.js' }, 'export');
  for (const size of SIZES) {
    const label = size >= 1e6 ? `${(size / 1e6).toLocaleString('en')}M` : size.toLocaleString('en');
    const fixture = await prepareExportFixture({ dir: path.join(root, `fixture-${size}`), members: size, memoryMb: BASELINE_MEMORY_MB });
    const formats = formatsFor(size);
    const work = path.join(root, `work-${size}`);
    // The baseline's one-statement merge of 10M profiles does not fit 8 GB: at 10M only the export is measured.
    const withBaseline = size < 10_000_000;
    if (!withBaseline) notes.push(`${label}: no baseline (its single-statement merge of ${label} profiles runs out of ${BASELINE_MEMORY_MB} MB); throughput and peak RSS only`);
    console.error(`export benchmark: ${label}: baseline (${withBaseline ? formats.join(', ') : 'skipped'})…`);
    const baseline = withBaseline ? await fastestBaseline({ fixture, formats, memoryMb: BASELINE_MEMORY_MB, work: path.join(work, 'baseline'), sftp: sftpLogin() }) : { formats: {} };
    const verifier = await database.DuckDbDatabase.open({ memoryLimitMb: 1024, threads: os.availableParallelism(), tempDirectory: path.join(work, 'verify-spill') });
    try {
      for (const format of formats) {
        const base = baseline.formats[format];
        for (const destination of sshd === undefined ? ['landing-zone'] : ['landing-zone', 'sftp']) {
          const name = `${label} ${format} → ${destination === 'sftp' ? 'SFTP' : 'landing zone'}`;
          const folder = `bench/${size}-${format.replace(/\W/g, '-')}`;
          const target = destination === 'sftp' ? sftpTarget() : { kind: 'landing-zone', root: path.join(work, 'dlz') };
          console.error(`export benchmark: ${name}…`);
          const job = { fixture, format, target, folder, memoryMb: MEMORY_MB, queryMemoryMb: QUERY_MEMORY_MB, work: path.join(work, 'export') };
          const outcome = await fastestExport(job, () => rmSync(path.join(destination === 'sftp' ? sshd.root : target.root, folder), { recursive: true, force: true }));
          if (outcome.error !== undefined) {
            // A failed export is a result (e.g. out of memory at the default limit), not a reason to lose the others.
            scenarios.push({ name, size, format, destination, error: outcome.error });
            rows.push({ measurement: `${name}: FAILED`, value: Number.NaN, unit: outcome.error.slice(0, 160) });
            notes.push(`${name} failed: ${outcome.error}`);
            continue;
          }
          const outDir = path.join(destination === 'sftp' ? sshd.root : target.root, folder);
          const check = base === undefined ? undefined : await compareWithBaseline(verifier, FORMATS[format].fileType, COLUMNS.map((column) => column.name), dataFilesIn(outDir, FORMATS[format].extension), base.file);
          rmSync(outDir, { recursive: true, force: true });
          const baseMs = baselineMs(baseline, format, destination);
          const baselineCsvMs = baselineMs(baseline, 'CSV.gz', destination);
          const scenario = {
            name, size, format, destination, rows: outcome.rows, rowsPerSecond: outcome.rows / (outcome.totalMs / 1000), baselineRowsPerSecond: base === undefined ? undefined : base.rows / (baseMs / 1000),
            ratio: base === undefined ? undefined : baseMs / outcome.totalMs, ratioVsCsv: baselineCsvMs === undefined ? undefined : baselineCsvMs / outcome.totalMs,
            engineMs: outcome.engineMs, uploadMs: outcome.uploadMs, totalMs: outcome.totalMs, baselineMs: baseMs, maxRssMiB: outcome.maxRssMiB,
            engineMaxRssMiB: outcome.engineMaxRssMiB, files: outcome.files, bytes: outcome.bytes, baselineRows: base?.rows, differingRows: check?.differing, rowsRead: check?.rows,
          };
          scenarios.push(scenario);
          rows.push(
            { measurement: `${name}: throughput`, value: round(scenario.rowsPerSecond), unit: 'rows/s' },
            ...(scenario.ratio === undefined ? [] : [{ measurement: `${name}: ratio vs same-format baseline`, value: round(scenario.ratio), unit: 'ratio' }]),
            ...(scenario.ratioVsCsv === undefined ? [] : [{ measurement: `${name}: ratio vs CSV.gz baseline (goal ≥ 0.7)`, value: round(scenario.ratioVsCsv), unit: 'ratio' }]),
            { measurement: `${name}: engine / upload`, value: round(outcome.engineMs / 1000), unit: `s / ${round(outcome.uploadMs / 1000)} s` },
            { measurement: `${name}: peak RSS${size >= 10_000_000 ? ' (goal ≤ 512)' : ''}`, value: outcome.maxRssMiB, unit: 'MiB' },
            ...(check === undefined ? [{ measurement: `${name}: rows written`, value: outcome.rows, unit: 'rows' }] : [{ measurement: `${name}: rows differing from the baseline`, value: check.differing, unit: 'rows' }]),
          );
        }
        if (base !== undefined) rows.push({ measurement: `${label} baseline ${format}: COPY / sftp put`, value: round(base.copyMs / 1000), unit: `s / ${round(base.putMs / 1000)} s` });
      }
    } finally {
      verifier.close();
    }
    if (withBaseline) {
      rows.push(
        { measurement: `${label} baseline: members ⋈ merged attributes`, value: round(baseline.prepareMs / 1000), unit: 's' },
        { measurement: `${label} baseline: peak RSS`, value: baseline.maxRssMiB, unit: 'MiB' },
      );
    }
    rmSync(work, { recursive: true, force: true });
    if (!keep) rmSync(path.join(root, `fixture-${size}`), { recursive: true, force: true });
  }
} finally {
  await stop();
}
writeFileSync(resultsFile, `${JSON.stringify({ date: new Date().toISOString(), threads: os.availableParallelism(), memoryMb: MEMORY_MB, scenarios }, null, 2)}\n`);
printSummary();
console.log(JSON.stringify({ rows, notes }));

/** The baseline REPEAT times: per stage its fastest time, the highest RSS. */
async function fastestBaseline(job) {
  let best;
  for (let run = 0; run < REPEAT; run += 1) {
    rmSync(job.work, { recursive: true, force: true });
    const next = await runChild('baseline-child.mjs', job);
    if (best === undefined) best = next;
    else {
      best.prepareMs = Math.min(best.prepareMs, next.prepareMs);
      best.maxRssMiB = Math.max(best.maxRssMiB, next.maxRssMiB);
      for (const [format, times] of Object.entries(next.formats)) {
        best.formats[format].copyMs = Math.min(best.formats[format].copyMs, times.copyMs);
        best.formats[format].putMs = Math.min(best.formats[format].putMs, times.putMs);
      }
    }
  }
  return best;
}

/** One scenario REPEAT times (its files removed before each run but the last): the fastest run, the highest RSS; `{ error }` when one fails. */
async function fastestExport(job, removeOutput) {
  let best;
  for (let run = 0; run < REPEAT; run += 1) {
    removeOutput();
    rmSync(job.work, { recursive: true, force: true });
    const next = await runChild('export-child.mjs', job).catch((error) => ({ error: error.message }));
    if (next.error !== undefined) return next;
    const maxRssMiB = Math.max(best?.maxRssMiB ?? 0, next.maxRssMiB);
    best = best === undefined || next.totalMs < best.totalMs ? { ...next, maxRssMiB } : { ...best, maxRssMiB };
  }
  return best;
}

/** The baseline's time for a format and destination (undefined when that format was not run): prepare + COPY (+ put). */
function baselineMs(baseline, format, destination) {
  const base = baseline.formats[format];
  return base === undefined ? undefined : baseline.prepareMs + base.copyMs + (destination === 'sftp' ? base.putMs : 0);
}

function sftpLogin() {
  return sshd === undefined ? undefined : { sftpArgs: sshd.sftpArgs, username: sshd.username, host: sshd.host };
}

function sftpTarget() {
  return {
    kind: 'sftp', host: sshd.host, port: sshd.port, username: sshd.username, auth: { type: 'key', privateKey: sshd.privateKey }, hostKeyFingerprint: sshd.hostKeyFingerprint,
  };
}

/** One line per scenario on stderr (the runner prints the full table from stdout). */
function printSummary() {
  const table = scenarios.filter((s) => s.error === undefined).map((s) => [
    s.name, Math.round(s.rowsPerSecond).toLocaleString('en'), s.baselineRowsPerSecond === undefined ? '–' : Math.round(s.baselineRowsPerSecond).toLocaleString('en'), s.ratio?.toFixed(2) ?? '–',
    s.ratioVsCsv?.toFixed(2) ?? '–', `${(s.engineMs / 1000).toFixed(1)} + ${(s.uploadMs / 1000).toFixed(1)}`, String(s.maxRssMiB), String(s.differingRows ?? '–'),
  ]);
  const header = ['scenario', 'rows/s', 'baseline rows/s', 'ratio', 'vs CSV.gz', 'engine + upload s', 'peak RSS MiB', 'differing rows'];
  const widths = header.map((title, i) => Math.max(title.length, ...table.map((row) => row[i].length)));
  for (const line of [header, widths.map((w) => '-'.repeat(w)), ...table]) console.error(line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  for (const failed of scenarios.filter((s) => s.error !== undefined)) console.error(`${failed.name}: FAILED ${failed.error}`);
  console.error(`export benchmark: results written to ${path.relative(process.cwd(), resultsFile)}`);
}

function runChild(script, job) {
  mkdirSync(job.work, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(import.meta.dirname, script), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      process.stderr.write(chunk);
      stderr = (stderr + chunk).slice(-20_000);
    });
    child.on('close', (code) => {
      try {
        // The child's error as DuckDB or the pipeline words it (first line of its cause), for the report.
        const reason = /\[(?:cause\]: \[)?Error: ([^\n]*)/.exec(stderr)?.[1] ?? /Error: ([^\n]*)/.exec(stderr)?.[1] ?? 'see its output above';
        if (code !== 0) throw new Error(`${script} exited with ${code}: ${reason}`);
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
      } catch (error) {
        reject(error);
      }
    });
  });
}
