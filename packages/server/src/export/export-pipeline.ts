// One audience export, end to end (SPEC §8.2–8.4): the engine stages the files in a fresh work directory, each file
// is streamed (and encrypted) to the destination and published atomically, then the manifest, then the metrics.
//
// On any failure — engine, encryption, connector, abort signal — the pending upload is aborted, the files this
// attempt already published are deleted (best effort), the work directory is removed, and an ExportFailure carrying
// the run error code, its message and `transient` is thrown. A destination never shows a partial file under a final
// name, and a failed attempt leaves no file of its own behind.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Connector, FileLocation, PublishedFile } from '../connectors/connector.js';
import type { AudienceExportRequest, AudienceExportResult, ExportEngine } from '../engine/engine.js';
import { EncryptionError, ExportAbortedError, exportFailureOf } from './export-failure.js';
import { exportMetricsOf, type ExportMetrics } from './export-metrics.js';
import { dataFileName, sinkPathOf, type ExportPlan } from './export-plan.js';
import { buildManifest, serialiseManifest } from './manifest.js';

/** Streaming encryption of one file (security/openpgp-file-encryptor.ts implements it). */
export interface FileEncryptor {
  /** Binary OpenPGP message of `plain` for `publicKey`; rejects while iterating when it cannot encrypt. */
  encrypt(publicKey: string, plain: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
}

/** What the pipeline works with. */
export interface ExportPipelineDeps {
  readonly engine: ExportEngine;
  /** Opened for this run; the caller closes it. */
  readonly connector: Connector;
  readonly encryptor: FileEncryptor;
  /** Scratch space (`<dataDir>/tmp/exports`); each export gets its own directory inside, removed at the end. */
  readonly tmpDir: string;
}

/** Which members the export reads (the run layer resolves the snapshots). */
export type AudienceExportSource = Pick<AudienceExportRequest, 'scope' | 'audienceId' | 'snapshot' | 'baseline' | 'includeExpired'>;

export interface AudienceExportInput {
  readonly source: AudienceExportSource;
  readonly plan: ExportPlan;
  readonly run: {
    readonly id: string;
    /** The occurrence (ad-hoc: request) time, epoch ms: the manifest's `scheduledTime`. */
    readonly scheduledAt: number;
    /** This attempt's number, from 1 (named in ACTIVATION_BATCH-2004-FAILED). */
    readonly attempt: number;
  };
  /** Aborting interrupts the export; it then fails with `aborted: true` after cleaning up. */
  readonly signal?: AbortSignal | undefined;
}

/** A data file as published (the run's `activator.files`). */
export interface PublishedExportFile {
  readonly sinkPath: string;
  readonly name: string;
  readonly size: number;
  readonly rows: number;
}

export interface AudienceExportOutcome {
  readonly files: readonly PublishedExportFile[];
  readonly manifest: { readonly sinkPath: string; readonly name: string } | undefined;
  readonly metrics: ExportMetrics;
}

/** Reading a staged file failed (not the encryption's fault, not the destination's). */
class StagedFileReadError extends Error {}

async function* readStagedFile(file: string, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024, ...(signal === undefined ? {} : { signal }) })) yield chunk as Buffer;
  } catch (error) {
    throw new StagedFileReadError(`Cannot read the staged export file ${path.basename(file)}`, { cause: error });
  }
}

/** Tags what the encryption step throws as an EncryptionError (ACTIVATION_BATCH-2006-FAILED). */
async function* encryptedWith(encryptor: FileEncryptor, publicKey: string, plain: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* encryptor.encrypt(publicKey, plain);
  } catch (error) {
    if (error instanceof StagedFileReadError) throw error;
    throw new EncryptionError(error instanceof Error ? error.message : 'the file could not be encrypted', { cause: error });
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new ExportAbortedError({ cause: signal.reason });
}

/** Uploads one body and publishes it; aborts the upload when anything fails. */
async function upload(connector: Connector, location: FileLocation, body: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): Promise<PublishedFile> {
  const pending = await connector.beginUpload(location, signal === undefined ? undefined : { signal });
  try {
    await pending.write(body);
    throwIfAborted(signal);
    return await pending.publish();
  } catch (error) {
    await pending.abort();
    throw error;
  }
}

/** Runs the whole export; see the file header for what happens on failure. */
export async function runAudienceExport(deps: ExportPipelineDeps, input: AudienceExportInput): Promise<AudienceExportOutcome> {
  const { plan, signal } = input;
  const published: FileLocation[] = [];
  await mkdir(deps.tmpDir, { recursive: true, mode: 0o700 });
  const workDir = await mkdtemp(path.join(deps.tmpDir, 'export-'));
  try {
    throwIfAborted(signal);
    const result: AudienceExportResult = await deps.engine.exportAudience({
      ...input.source,
      columns: plan.columns,
      mandatory: plan.mandatory,
      dedupKey: plan.dedupKey,
      format: plan.format,
      maxFileRowCount: plan.maxFileRowCount,
      workDir,
      ...(signal === undefined ? {} : { signal }),
    });
    // Every name is checked before the first upload: a run over the 255 limit publishes nothing.
    const names = result.files.map((_, index) => dataFileName(plan, index));
    const files: PublishedExportFile[] = [];
    for (const [index, staged] of result.files.entries()) {
      throwIfAborted(signal);
      const plain = readStagedFile(staged.path, signal);
      const body = plan.pgpPublicKey === undefined ? plain : encryptedWith(deps.encryptor, plan.pgpPublicKey, plain);
      const location = { folder: plan.folder, name: names[index] ?? '' };
      const file = await upload(deps.connector, location, body, signal);
      published.push(location);
      files.push({ sinkPath: sinkPathOf(plan.folder), name: file.name, size: file.size, rows: staged.rows });
      // The staged copy is no longer needed: free the disk while the next file uploads.
      await rm(staged.path, { force: true });
    }
    let manifest: AudienceExportOutcome['manifest'];
    if (plan.manifestName !== undefined) {
      throwIfAborted(signal);
      const document = serialiseManifest(buildManifest(input.run.id, input.run.scheduledAt, files));
      const location = { folder: plan.folder, name: plan.manifestName };
      await upload(deps.connector, location, Readable.from([document]), signal);
      published.push(location);
      manifest = { sinkPath: sinkPathOf(plan.folder), name: plan.manifestName };
    }
    throwIfAborted(signal);
    return { files, manifest, metrics: exportMetricsOf(result, files.map((file) => file.size)) };
  } catch (error) {
    // Newest first: the manifest (if any) disappears before the files it lists.
    for (const location of published.reverse()) await deps.connector.delete(location).catch(() => undefined);
    const cause = signal?.aborted === true && !(error instanceof ExportAbortedError) ? new ExportAbortedError({ cause: error }) : error;
    throw exportFailureOf(cause, { attempts: input.run.attempt });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
