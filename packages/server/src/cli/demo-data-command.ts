// `activator demo-data`: writes the deterministic demo files (SPEC §12) and prints what it wrote.
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  DEMO_DATA_FORMATS, generateDemoData, isCalendarDate, MAX_DEMO_EVENTS, MAX_DEMO_PROFILES, todayUtc,
  type DemoDataFormat, type DemoDataReport, type DemoFileReport,
} from '../demo/demo-data.js';
import { printJson, printTable } from './output.js';

/** Where the command writes and what time it is; tests pass their own. */
export interface DemoDataCommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly now: () => Date;
}

interface DemoDataFlags {
  profiles: number;
  events: number;
  seed: number;
  out: string;
  format: DemoDataFormat;
  asOf?: string;
  json?: boolean;
}

/** A whole number in [min, max]; `_` may group digits (`1_000_000`). */
function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const digits = value.replaceAll('_', '');
    const parsed = Number(digits);
    if (!/^\d+$/.test(digits) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`);
    }
    return parsed;
  };
}

function calendarDate(value: string): string {
  if (!isCalendarDate(value)) throw new InvalidArgumentError('expected a date written YYYY-MM-DD, e.g. 2025-06-30');
  return value;
}

/** `1.2 MB`: sizes in decimal units, as file managers show them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const seconds = (millis: number) => `${(millis / 1000).toFixed(1)} s`;
const rowCount = (rows: number) => rows.toLocaleString('en-US');

function fileLine(file: DemoFileReport): string {
  return `  wrote ${file.fileName} (${rowCount(file.rows)} rows, ${formatBytes(file.bytes)}) in ${seconds(file.millis)}\n`;
}

function printSummary(report: DemoDataReport, flags: DemoDataFlags, asOf: string, out: NodeJS.WritableStream): void {
  const rows = report.files.map((file) => [file.fileName, file.dataset.name, rowCount(file.rows), formatBytes(file.bytes), seconds(file.millis)]);
  const totalRows = report.files.reduce((sum, file) => sum + file.rows, 0);
  const totalBytes = report.files.reduce((sum, file) => sum + file.bytes, 0);
  rows.push(['total', '', rowCount(totalRows), formatBytes(totalBytes), seconds(report.millis)]);
  printTable(['File', 'Dataset', 'Rows', 'Size', 'Time'], rows, out);
  out.write(`Seed ${flags.seed}, as of ${asOf}, in ${flags.out}. Create the datasets from DEMO_DATASETS (src/demo/demo-datasets.ts) to ingest them.\n`);
}

/** Runs `activator demo-data` with parsed flags. */
export async function runDemoDataCommand(flags: DemoDataFlags, io: DemoDataCommandIo): Promise<DemoDataReport> {
  const asOf = flags.asOf ?? todayUtc(io.now());
  io.stderr.write(`Generating ${rowCount(flags.profiles)} profiles and ${rowCount(flags.events)} events (seed ${flags.seed}, as of ${asOf}) as ${flags.format} into ${flags.out}\n`);
  const report = await generateDemoData(
    { profiles: flags.profiles, events: flags.events, seed: flags.seed, asOf, format: flags.format, outDir: flags.out },
    { onFileWritten: (file) => io.stderr.write(fileLine(file)) },
  );
  if (flags.json === true) {
    printJson({
      seed: flags.seed, asOf, format: flags.format, outDir: flags.out, millis: Math.round(report.millis),
      files: report.files.map((file) => ({ file: file.fileName, dataset: file.dataset.name, path: file.path, rows: file.rows, bytes: file.bytes, millis: Math.round(file.millis) })),
    }, io.stdout);
  } else {
    printSummary(report, flags, asOf, io.stdout);
  }
  return report;
}

/** Adds `activator demo-data` to the program. */
export function registerDemoDataCommand(program: Command, io: DemoDataCommandIo = { stdout: process.stdout, stderr: process.stderr, now: () => new Date() }): void {
  program
    .command('demo-data')
    .description('write deterministic demo data: CRM profiles, loyalty members (sharing e-mails with some profiles) and web events.\nSame options and --as-of → byte-identical files. (--ingest arrives with the ingestion API.)')
    .requiredOption('--profiles <n>', `CRM profiles to generate, 1 to ${rowCount(MAX_DEMO_PROFILES)} (loyalty members: a quarter as many)`, wholeNumber(1, MAX_DEMO_PROFILES))
    .requiredOption('--events <n>', `events to generate, 0 to ${rowCount(MAX_DEMO_EVENTS)}`, wholeNumber(0, MAX_DEMO_EVENTS))
    .option('--seed <n>', 'seed of the pseudo-random choices (a whole number)', wholeNumber(0, Number.MAX_SAFE_INTEGER), 42)
    .option('--out <dir>', 'output directory (created if missing; demo files in it are replaced)', './demo-data')
    .addOption(new Option('--format <format>', 'file format').choices(DEMO_DATA_FORMATS).default('csv'))
    .option('--as-of <date>', 'events and updates fall in the 400 days before this date, YYYY-MM-DD (default: today, UTC)', calendarDate)
    .option('--json', 'machine-readable summary')
    .action(async (flags: DemoDataFlags) => {
      await runDemoDataCommand(flags, io);
    });
}
