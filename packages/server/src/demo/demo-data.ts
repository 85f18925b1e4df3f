// The deterministic demo data generator (`activator demo-data`, `serve --demo`, tests, benchmarks): SQL in DuckDB, COPY to files.
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDbDatabase } from '../engine/duckdb/duckdb-database.js';
import { AppError } from '../errors.js';
import { demoDataset, demoFileFields, type DemoDataset, type DemoFileKey } from './demo-datasets.js';
import { WEB_EVENTS_QUERY } from './demo-event-query.js';
import { copyToFileSql, DEMO_DATA_FORMATS, type DemoDataFormat } from './demo-file-writer.js';
import { CRM_PROFILES_QUERY, CUSTOMERS_PER_LOYALTY_MEMBER, LOYALTY_MEMBERS_QUERY } from './demo-profile-queries.js';
import { CREATE_ROW_NUMBERS_SQL, queryParameterValues, ROW_NUMBERS, typedSelect, type DemoQuery } from './demo-query.js';

export { DEMO_DATASETS, DEMO_EVENT_TYPES, demoFileFields, type DemoDataset, type DemoFileKey } from './demo-datasets.js';
export { BATCH_INPUT_FORMAT, DEMO_DATA_FORMATS, type DemoDataFormat } from './demo-file-writer.js';
export { HISTORY_DAYS } from './demo-profile-queries.js';

/** What to generate. Same options → byte-identical files (for one DuckDB version). */
export interface DemoDataOptions {
  /** CRM customers (rows of `profiles.<ext>`); the loyalty file gets a quarter as many rows. */
  readonly profiles: number;
  /** Rows of `events.<ext>`. */
  readonly events: number;
  /** Any safe non-negative integer. */
  readonly seed: number;
  /** `YYYY-MM-DD`: events and `updatedAt` fall in the 400 days before this date (UTC midnight). */
  readonly asOf: string;
  readonly format: DemoDataFormat;
  /** Created if missing; existing demo files in it are replaced. */
  readonly outDir: string;
}

/** One written file. */
export interface DemoFileReport {
  readonly dataset: DemoDataset;
  /** File name within the output directory, e.g. `profiles.csv`. */
  readonly fileName: string;
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  readonly millis: number;
}

export interface DemoDataReport {
  /** In {@link DEMO_DATASETS} order. */
  readonly files: readonly DemoFileReport[];
  readonly millis: number;
}

export interface DemoDataDependencies {
  /** The DuckDB to generate in; by default a private one (all cores, 2 GB, spilling to the OS temp directory). */
  readonly database?: DuckDbDatabase;
  /** Called after each file is written, e.g. to report progress. */
  readonly onFileWritten?: (file: DemoFileReport) => void;
}

/** Upper bounds that catch typos (a missing `k` or an extra `000`) before they fill a disk. */
export const MAX_DEMO_PROFILES = 100_000_000;
export const MAX_DEMO_EVENTS = 1_000_000_000;

const QUERIES: Record<DemoFileKey, DemoQuery> = { profiles: CRM_PROFILES_QUERY, loyalty: LOYALTY_MEMBERS_QUERY, events: WEB_EVENTS_QUERY };

/** Rows of each file for `profiles` customers and `events` events. */
export function demoRowCounts(profiles: number, events: number): Record<DemoFileKey, number> {
  return { profiles, loyalty: Math.floor(profiles / CUSTOMERS_PER_LOYALTY_MEMBER), events };
}

/** Today's date in UTC (`YYYY-MM-DD`), the default `asOf`. */
export function todayUtc(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** True for a real calendar date written `YYYY-MM-DD` between 1900 and 9999. */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value) && value >= '1900-01-01';
}

/** Every problem with the options, as sentences; empty when they are valid. */
export function demoDataOptionProblems(options: DemoDataOptions): string[] {
  const problems: string[] = [];
  const count = (name: string, value: number, min: number, max: number) => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} (got ${value})`);
    }
  };
  count('profiles', options.profiles, 1, MAX_DEMO_PROFILES);
  count('events', options.events, 0, MAX_DEMO_EVENTS);
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) problems.push(`seed must be a non-negative whole number (got ${options.seed})`);
  if (!isCalendarDate(options.asOf)) problems.push(`asOf must be a date written YYYY-MM-DD (got '${options.asOf}')`);
  if (!DEMO_DATA_FORMATS.includes(options.format)) problems.push(`format must be one of ${DEMO_DATA_FORMATS.join(', ')} (got '${String(options.format)}')`);
  if (options.outDir.trim() === '') problems.push('outDir must not be empty');
  return problems;
}

/**
 * Writes `profiles.<ext>`, `loyalty.<ext>` and `events.<ext>` into `outDir`, each matching its {@link DEMO_DATASETS}
 * schema. Every value is a seeded hash of its row number, so the files are reproducible and generated in parallel.
 * @throws AppError `VALIDATION` for invalid options (nothing is written).
 * @example await generateDemoData({ profiles: 10_000, events: 100_000, seed: 42, asOf: '2025-06-30', format: 'csv', outDir: 'demo-data' })
 */
export async function generateDemoData(options: DemoDataOptions, dependencies: DemoDataDependencies = {}): Promise<DemoDataReport> {
  const problems = demoDataOptionProblems(options);
  if (problems.length > 0) throw new AppError('VALIDATION', `Invalid demo data options: ${problems.join('; ')}.`);
  const started = performance.now();
  mkdirSync(options.outDir, { recursive: true });
  const files = await withDatabase(dependencies.database, async (database) => {
    await assertOrderPreserved(database);
    const rows = demoRowCounts(options.profiles, options.events);
    const reports: DemoFileReport[] = [];
    for (const file of ['profiles', 'loyalty', 'events'] as const) {
      const report = await writeDemoFile(database, demoDataset(file), rows[file], options);
      dependencies.onFileWritten?.(report);
      reports.push(report);
    }
    return reports;
  });
  return { files, millis: performance.now() - started };
}

async function writeDemoFile(database: DuckDbDatabase, dataset: DemoDataset, rowCount: number, options: DemoDataOptions): Promise<DemoFileReport> {
  const started = performance.now();
  const fileName = `${dataset.file}.${options.format}`;
  const finalPath = path.resolve(options.outDir, fileName);
  // Written under another name and renamed, so a crash never leaves a truncated file that looks complete.
  const partialPath = `${finalPath}.partial`;
  const fields = demoFileFields(dataset);
  const sql = copyToFileSql(typedSelect(QUERIES[dataset.file], fields), fields, options.format, partialPath);
  const parameters = queryParameterValues({ seed: options.seed, asOf: options.asOf, profileCount: options.profiles, rowCount });
  let written: number;
  try {
    written = await database.withConnection(async (connection) => {
      await connection.run(CREATE_ROW_NUMBERS_SQL, { rowCount });
      // COPY answers with one row: the number of rows written.
      const result = await connection.runAndReadAll(sql, parameters);
      await connection.run(`DROP TABLE ${ROW_NUMBERS}`);
      return Number(result.getRows()[0]?.[0]);
    });
    renameSync(partialPath, finalPath);
  } finally {
    rmSync(partialPath, { force: true });
  }
  return { dataset, fileName, path: finalPath, rows: written, bytes: statSync(finalPath).size, millis: performance.now() - started };
}

/** Rows reach the file in row-number order only while DuckDB preserves insertion order (its default). */
async function assertOrderPreserved(database: DuckDbDatabase): Promise<void> {
  const [row] = await database.query("SELECT current_setting('preserve_insertion_order') AS preserved");
  const setting = row?.['preserved'];
  if (setting !== true) {
    throw new AppError('INTERNAL', 'Demo data needs a DuckDB with preserve_insertion_order = true; without it the files would not be reproducible.');
  }
}

async function withDatabase<T>(given: DuckDbDatabase | undefined, work: (database: DuckDbDatabase) => Promise<T>): Promise<T> {
  if (given !== undefined) return work(given);
  const tempDirectory = mkdtempSync(path.join(os.tmpdir(), 'activator-demo-data-'));
  const database = await DuckDbDatabase.open({ memoryLimitMb: 2048, threads: os.availableParallelism(), tempDirectory });
  try {
    return await work(database);
  } finally {
    database.close();
    rmSync(tempDirectory, { recursive: true, force: true });
  }
}
