// `activator ingest --dataset <id|name> <files…>`: batch upload with a progress bar, then the outcome as tables (SPEC §12).
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { SingleBar } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { ApiClient, clientOptionsOf, withClientOptions } from './api-client.js';
import { CliError, printJson, printTable } from './output.js';

const CATALOG = '/data/foundation/catalog';
const IMPORT = '/data/foundation/import/batches';
/** SPEC §12: the operation completed but failed. */
const EXIT_FAILED = 2;

interface IngestFlags {
  url: string; clientId?: string; clientSecret?: string; sandbox: string; json?: boolean;
  dataset: string; format?: 'csv' | 'json' | 'parquet'; errorThreshold?: number; wait: boolean;
}

type BatchJson = {
  id: string; status: string; metrics?: { inputRecordCount: number; outputRecordCount: number; failedRecordCount: number };
  failedRows?: { file: string; row: number; field?: string; code: string; message: string }[]; warnings?: { code: string; file: string }[];
};

/** `.csv`, `.json`, `.ndjson`, `.jsonl`, `.parquet` (optionally `.gz`) → the batch input format. */
export function formatOfFile(file: string): 'csv' | 'json' | 'parquet' | undefined {
  const name = file.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.json') || name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'json';
  if (name.endsWith('.parquet')) return 'parquet';
  return undefined;
}

async function resolveDataset(client: ApiClient, ref: string): Promise<string> {
  if (/^[0-9a-f]{24}$/.test(ref)) return ref;
  const found = await client.get<Record<string, unknown>>(`${CATALOG}/dataSets?name=${encodeURIComponent(ref)}&limit=2`);
  const ids = Object.keys(found);
  if (ids.length !== 1 || ids[0] === undefined) throw new CliError(`No dataset named '${ref}' in this sandbox (use its 24-character id or exact name)`);
  return ids[0];
}

/** Uploads one file as a stream, updating the progress bar with bytes sent. */
async function uploadFile(client: ApiClient, url: string, file: string, bar: SingleBar, offset: number): Promise<number> {
  const size = statSync(file).size;
  let sent = 0;
  const stream = createReadStream(file);
  stream.on('data', (chunk) => {
    sent += chunk.length;
    bar.update(offset + sent, { file: path.basename(file) });
  });
  await client.upload(url, Readable.toWeb(stream), size);
  return size;
}

async function waitForBatch(client: ApiClient, batchId: string): Promise<BatchJson> {
  for (;;) {
    const batch = (await client.get<Record<string, BatchJson>>(`${CATALOG}/batches/${batchId}`))[batchId];
    if (batch === undefined) throw new CliError(`Batch ${batchId} disappeared`);
    if (!['loading', 'processing'].includes(batch.status)) return batch;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function ingest(files: string[], flags: IngestFlags): Promise<void> {
  const formats = new Set(files.map((file) => flags.format ?? formatOfFile(file)));
  if (formats.has(undefined)) throw new CliError('Cannot infer the format of every file from its extension; pass --format csv|json|parquet');
  if (formats.size > 1) throw new CliError('All files of one batch must have the same format; run ingest once per format');
  for (const file of files) statSync(file);
  const client = new ApiClient(clientOptionsOf(flags));
  const started = Date.now();
  const datasetId = await resolveDataset(client, flags.dataset);
  const batch = await client.send<{ id: string }>('POST', IMPORT, {
    datasetId, inputFormat: { format: [...formats][0] }, ...(flags.errorThreshold === undefined ? {} : { partialIngestion: { errorThreshold: flags.errorThreshold } }),
  });
  const total = files.reduce((sum, file) => sum + statSync(file).size, 0);
  const bar = new SingleBar({
    format: 'Uploading {file} |{bar}| {percentage}% {value}/{total} bytes | {speed}', barCompleteChar: '█', barIncompleteChar: '░',
    noTTYOutput: true, notTTYSchedule: 2000, stream: process.stderr,
  });
  bar.start(total, 0, { file: '', speed: '' });
  let offset = 0;
  for (const file of files) {
    offset += await uploadFile(client, `${IMPORT}/${batch.id}/datasets/${datasetId}/files/${encodeURIComponent(path.basename(file))}`, file, bar, offset);
    bar.update(offset, { speed: `${((offset / 1_048_576) / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(1)} MiB/s` });
  }
  bar.stop();
  await client.send('POST', `${IMPORT}/${batch.id}?action=COMPLETE`);
  if (!flags.wait) {
    process.stdout.write(`Batch ${batch.id} is processing; follow it with GET ${CATALOG}/batches/${batch.id}\n`);
    return;
  }
  const done = await waitForBatch(client, batch.id);
  if (flags.json === true) printJson(done);
  else {
    printTable(['Batch', 'Status', 'Rows read', 'Ingested', 'Rejected', 'Time'], [[
      done.id, done.status, done.metrics?.inputRecordCount ?? 0, done.metrics?.outputRecordCount ?? 0, done.metrics?.failedRecordCount ?? 0, `${((Date.now() - started) / 1000).toFixed(1)} s`,
    ]]);
    const rejected = (done.failedRows ?? []).slice(0, 10);
    if (rejected.length > 0) {
      process.stdout.write('\nFirst rejected rows\n');
      printTable(['File', 'Row', 'Field', 'Code', 'Message'], rejected.map((r) => [r.file, r.row, r.field ?? '', r.code, r.message]));
    }
    const warnings = done.warnings ?? [];
    if (warnings.length > 0) {
      process.stdout.write('\nWarnings\n');
      printTable(['File', 'Code', 'Meaning'], warnings.map((w) => [w.file, w.code, w.code === 'EMPTY_FILE' ? 'the file has no data rows' : '']));
    }
  }
  if (done.status !== 'success') process.exitCode = EXIT_FAILED;
}

function parseThreshold(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 100) throw new InvalidArgumentError('expected a percentage from 0 to 100');
  return number;
}

/** Adds `ingest` to the program. */
export function registerIngestCommand(program: Command): void {
  withClientOptions(program.command('ingest <files...>').description('upload files into a dataset as one batch and wait for the outcome'))
    .requiredOption('--dataset <id|name>', 'dataset id or exact name')
    .option('--format <format>', 'csv, json or parquet (default: from the file extension)', (value) => {
      if (value !== 'csv' && value !== 'json' && value !== 'parquet') throw new InvalidArgumentError('expected csv, json or parquet');
      return value;
    })
    .option('--error-threshold <pct>', 'accept the batch when at most this percentage of rows is rejected', parseThreshold)
    .option('--no-wait', 'return after completing the upload, without waiting for validation')
    .action(ingest);
}
