// Demo data generation: 1M CRM profiles (+ 250k loyalty members) and 10M events written as Parquet and as CSV,
// against a same-run baseline of DuckDB writing as many rows of the same column types and a comparable width,
// whose values cost nothing to compute. The ratio is the price of realistic, seeded values.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dist = new URL('../../packages/server/dist/', import.meta.url);
let demo;
let duckdb;
try {
  demo = await import(new URL('demo/demo-data.js', dist).href);
  duckdb = await import(new URL('engine/duckdb/duckdb-database.js', dist).href);
} catch {
  console.error('demo-data benchmark: packages/server/dist/demo is missing; run `npm run build` first');
  process.exit(2);
}
const { DEMO_DATASETS, demoFileFields, demoRowCounts, generateDemoData } = demo;
const { DuckDbDatabase } = duckdb;

const PROFILES = 1_000_000;
const EVENTS = 10_000_000;
const FORMATS = ['parquet', 'csv'];
const THREADS = os.availableParallelism();
const MEMORY_MB = 2048;
/** Rows written to measure the baseline's width before sizing its filler. */
const PROBE_ROWS = 20_000;

/** CPU seconds (all DuckDB threads, user + system) since `start`, a process.cpuUsage() reading. */
const cpuSecondsSince = (start) => { const used = process.cpuUsage(start); return (used.user + used.system) / 1e6; };
const quote = (name) => `"${name.replaceAll('"', '""')}"`;
const literal = (text) => `'${text.replaceAll("'", "''")}'`;
const COPY_OPTIONS = { csv: 'FORMAT csv, HEADER true', parquet: 'FORMAT parquet' };

/** A value of the field's type that is nearly free to compute; strings get `filler` to match the demo width. */
function cheapValue(field, filler) {
  switch (field.type === 'array' ? 'array' : field.type) {
    case 'string': return `concat(i, ${literal(filler)})`;
    case 'integer': return 'i';
    case 'number': return 'i * 0.25';
    case 'boolean': return '(i & 1) = 0';
    case 'date': return "DATE '2000-01-01' + (i % 9000)::INTEGER";
    case 'date-time': return 'make_timestamp(i * 1000)::TIMESTAMPTZ';
    case 'array': return '[i::VARCHAR]';
    default: throw new Error(`no cheap value for ${field.type}`);
  }
}

/** Writes `rows` baseline rows (numbered from `firstRow`) shaped like the dataset's file; returns { millis, bytes }. */
async function writeBaseline(database, dataset, rows, format, filler, file, firstRow = 0) {
  const columns = demoFileFields(dataset).map((field) => `${cheapValue(field, filler)} AS ${quote(field.path)}`).join(', ');
  return database.withConnection(async (connection) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    // The generator's own row source: a table of row numbers, which DuckDB scans on every thread.
    await connection.run(`CREATE OR REPLACE TEMP TABLE baseline_rows AS SELECT range AS i FROM range(${firstRow}, ${firstRow + rows})`);
    await connection.run(`COPY (SELECT ${columns} FROM baseline_rows) TO ${literal(file)} (${COPY_OPTIONS[format]})`);
    await connection.run('DROP TABLE baseline_rows');
    return { millis: performance.now() - started, cpuSeconds: cpuSecondsSince(cpu), bytes: statSync(file).size };
  });
}

/** Filler length per string column so that a baseline CSV row is about as wide as a demo CSV row. */
async function fillerFor(database, dataset, rows, demoBytesPerRow, dir) {
  const strings = demoFileFields(dataset).filter((field) => field.type === 'string').length;
  // Probed mid-file, where row numbers have their typical number of digits.
  const probe = await writeBaseline(database, dataset, PROBE_ROWS, 'csv', '', path.join(dir, 'probe.csv'), Math.floor(rows / 2));
  const missing = demoBytesPerRow - probe.bytes / PROBE_ROWS;
  return 'x'.repeat(Math.max(0, Math.round(missing / Math.max(1, strings))));
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'activator-bench-demo-data-'));
const database = await DuckDbDatabase.open({ memoryLimitMb: MEMORY_MB, threads: THREADS, tempDirectory: path.join(scratch, 'spill') });
const counts = demoRowCounts(PROFILES, EVENTS);
const totalRows = Object.values(counts).reduce((sum, n) => sum + n, 0);
const rows = [];
const notes = [];
try {
  const fillers = new Map();
  // CSV first: its row widths size the baseline's filler for both formats.
  for (const format of [...FORMATS].reverse()) {
    const dir = path.join(scratch, format);
    mkdirSync(dir, { recursive: true });
    console.error(`  generating ${PROFILES.toLocaleString('en-US')} profiles + ${EVENTS.toLocaleString('en-US')} events as ${format}…`);
    const demoCpu = process.cpuUsage();
    const report = await generateDemoData(
      { profiles: PROFILES, events: EVENTS, seed: 42, asOf: '2025-06-30', format, outDir: dir },
      { database, onFileWritten: (file) => console.error(`    ${file.fileName}: ${file.rows.toLocaleString('en-US')} rows, ${(file.bytes / 1e6).toFixed(0)} MB, ${(file.millis / 1000).toFixed(1)} s`) },
    );
    const demoCpuSeconds = cpuSecondsSince(demoCpu);
    const demoBytes = report.files.reduce((sum, file) => sum + file.bytes, 0);
    if (format === 'csv') {
      for (const file of report.files) fillers.set(file.dataset.file, await fillerFor(database, file.dataset, file.rows, file.bytes / Math.max(1, file.rows), dir));
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });

    console.error(`  baseline: DuckDB writing ${totalRows.toLocaleString('en-US')} cheap rows of the same shape as ${format}…`);
    let baselineMillis = 0;
    let baselineCpuSeconds = 0;
    let baselineBytes = 0;
    for (const dataset of DEMO_DATASETS) {
      const result = await writeBaseline(database, dataset, counts[dataset.file], format, fillers.get(dataset.file) ?? '', path.join(dir, `${dataset.file}.${format}`));
      console.error(`    ${dataset.file}.${format}: ${(result.bytes / 1e6).toFixed(0)} MB, ${(result.millis / 1000).toFixed(1)} s`);
      baselineMillis += result.millis;
      baselineCpuSeconds += result.cpuSeconds;
      baselineBytes += result.bytes;
    }
    rmSync(dir, { recursive: true, force: true });

    const demoRate = (totalRows / report.millis) * 1000;
    const baselineRate = (totalRows / baselineMillis) * 1000;
    rows.push(
      { measurement: `${format}: demo data, 1M profiles + 10M events`, value: report.millis / 1000, unit: 's' },
      { measurement: `${format}: demo data`, value: demoRate, unit: 'rows/s' },
      { measurement: `${format}: baseline (range rows, same shape)`, value: baselineRate, unit: 'rows/s' },
      { measurement: `${format}: demo / baseline throughput`, value: demoRate / baselineRate, unit: 'ratio' },
      { measurement: `${format}: demo / baseline CPU time`, value: demoCpuSeconds / baselineCpuSeconds, unit: 'ratio' },
    );
    notes.push(`${format}: demo files ${(demoBytes / 1e6).toFixed(0)} MB, baseline files ${(baselineBytes / 1e6).toFixed(0)} MB`);
  }
  notes.push(
    `${totalRows.toLocaleString('en-US')} rows per format (profiles, loyalty, events), seed 42; DuckDB with ${THREADS} threads and ${MEMORY_MB} MB, files in the OS temp directory`,
    'baseline: the same columns and types from a table of row numbers, strings padded so CSV rows are as wide as the demo files; rows/s count all three files',
    'one run each: on a shared machine wall-clock rates swing; the CPU-time ratio (all threads, user + system) is the steadier comparison',
  );
  console.log(JSON.stringify({ rows, notes }));
} finally {
  database.close();
  rmSync(scratch, { recursive: true, force: true });
}
