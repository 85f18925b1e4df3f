// Batch ingestion (SPEC §3.3–3.4): create, upload (streamed to staging), complete → validate + publish in the engine, abort.
import { AppError } from '../../errors.js';
import { UploadRejectedError, type IngestionEngine, type LakeStorage } from '../../engine/engine.js';
import type { InputFormat } from '../../engine/lake-schema.js';
import type { JobRepository, SandboxScopedStore } from '../../storage/store.js';
import type { Clock, IdGenerator } from '../runtime.js';
import { newBatchId } from './batch-ids.js';
import { fromBatchRecord, toBatchRecord, type VersionedBatch } from './batch-records.js';
import { fileNameProblem } from './file-names.js';
import type { DatasetService } from './dataset-service.js';
import type { Batch, BatchFile, BatchStatus } from './dataset-types.js';
import { ingestionStep } from './ingestion-step.js';

export const MAX_FILES_PER_BATCH = 1000;

export interface BatchInput {
  readonly datasetId: string;
  readonly format: InputFormat;
  readonly errorThreshold: number | undefined;
}

export const batchNotFound = (id: string) => new AppError('NOT_FOUND', `Batch ${id} not found`);

/** The job kind that ingests a completed batch; its subject is the batch id. */
export const INGEST_BATCH_JOB = 'ingest-batch';

/** Batches of one dataset are ingested one after the other, in completion order: one job queue per dataset. */
export function ingestQueueKey(sandboxId: string, datasetId: string): string {
  return `${sandboxId}/${datasetId}`;
}

export const INTERRUPTED_MESSAGE = 'Ingestion was interrupted (the server processing the batch stopped); no row of the batch was kept';

/** Which batches of a sandbox to list, newest first (Catalog `GET /batches`). */
export interface BatchListQuery {
  readonly datasetId?: string | undefined;
  readonly status?: BatchStatus | undefined;
  readonly start: number;
  readonly limit: number;
}

/** Reports what happened to a batch in the background (for logs and metrics). */
export type BatchObserver = (event: { batchId: string; sandboxId: string; status: Batch['status']; rows?: number; rejected?: number; error?: unknown }) => void;

/**
 * COMPLETE records the batch as `processing` and enqueues an `ingest-batch` job; a job worker (any process
 * on the same store) claims it and calls {@link BatchService.runIngestJob}.
 */
export class BatchService {
  /** Batches completed through this instance and not yet seen finished (for `whenIdle`). */
  private readonly pending = new Map<string, SandboxScopedStore>();

  constructor(
    private readonly deps: {
      ids: IdGenerator; clock: Clock; lake: LakeStorage; engine: IngestionEngine; datasets: DatasetService;
      maxUploadBytes: number; observe?: BatchObserver | undefined;
      /** Where ingestion jobs are enqueued. */
      jobs: JobRepository;
      /** Runs the ingestion jobs this process can claim now (the job worker's drain); resolves when none is left. */
      runDueJobs: () => Promise<unknown>;
    },
  ) {}

  async create(scope: SandboxScopedStore, input: BatchInput, by: string): Promise<Batch> {
    await this.deps.datasets.get(scope, input.datasetId);
    const now = this.deps.clock.now();
    const batch: VersionedBatch = {
      id: newBatchId(now, this.deps.ids), etag: this.etag(), sandboxId: scope.sandboxId, datasetId: input.datasetId,
      status: 'loading', inputFormat: input.format, ...(input.errorThreshold === undefined ? {} : { errorThreshold: input.errorThreshold }),
      files: [], createdAt: now, updatedAt: now, createdBy: by,
    };
    await scope.batches.create(toBatchRecord(batch));
    const { etag: _etag, ...created } = batch;
    return created;
  }

  async get(scope: SandboxScopedStore, id: string): Promise<Batch> {
    const { etag: _etag, ...batch } = await this.load(scope, id);
    return batch;
  }

  /** Every batch of the sandbox, newest first. */
  list(scope: SandboxScopedStore): Promise<Batch[]> {
    return this.select(scope, { order: 'newest-first' });
  }

  /** A page of the sandbox's batches, newest first (creation time, then id). */
  query(scope: SandboxScopedStore, query: BatchListQuery): Promise<Batch[]> {
    return this.select(scope, {
      order: 'newest-first', datasetIds: query.datasetId === undefined ? undefined : [query.datasetId], status: query.status, offset: query.start, limit: query.limit,
    });
  }

  /** The batches of some datasets, newest first. */
  ofDatasets(scope: SandboxScopedStore, datasetIds: readonly string[]): Promise<Batch[]> {
    return this.select(scope, { order: 'newest-first', datasetIds });
  }

  /**
   * Streams one file into the batch's staging area; the batch must be `loading`. Each upload is staged on its
   * own; recording it in the batch is the atomic step, so of two uploads of one name the one recorded last
   * wins, and the file it replaced is removed.
   */
  async upload(scope: SandboxScopedStore, batchId: string, datasetId: string, fileName: string, body: AsyncIterable<Uint8Array>, declaredLength: number | undefined): Promise<void> {
    const batch = await this.load(scope, batchId);
    if (batch.datasetId !== datasetId) throw new AppError('NOT_FOUND', `Batch ${batchId} does not belong to dataset ${datasetId}`);
    if (batch.status !== 'loading') throw new AppError('BAD_REQUEST', `Batch ${batchId} is ${batch.status}: files can only be uploaded while it is loading`);
    const problem = fileNameProblem(fileName);
    if (problem !== undefined) throw new AppError('BAD_REQUEST', problem);
    const tooMany = (files: readonly BatchFile[]) => !files.some((f) => f.name === fileName) && files.length >= MAX_FILES_PER_BATCH;
    if (tooMany(batch.files)) throw new AppError('BAD_REQUEST', `A batch holds at most ${MAX_FILES_PER_BATCH} files`);
    if (declaredLength !== undefined && declaredLength > this.deps.maxUploadBytes) {
      throw new AppError('PAYLOAD_TOO_LARGE', `File ${fileName} is larger than the upload limit of ${this.deps.maxUploadBytes} bytes`);
    }
    let staged: { stagedAs: string; size: number };
    try {
      staged = await this.deps.lake.stageFile(batchId, fileName, body, { maxBytes: this.deps.maxUploadBytes, declaredLength });
    } catch (error) {
      if (error instanceof UploadRejectedError) throw new AppError(error.reason === 'too-large' ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', error.message, { cause: error });
      throw error;
    }
    let replaced: BatchFile | undefined;
    try {
      await this.mutate(scope, batchId, (current) => {
        if (current.status !== 'loading') throw new AppError('BAD_REQUEST', `Batch ${batchId} is ${current.status}: files can only be uploaded while it is loading`);
        if (tooMany(current.files)) throw new AppError('BAD_REQUEST', `A batch holds at most ${MAX_FILES_PER_BATCH} files`);
        replaced = current.files.find((f) => f.name === fileName);
        const entry: BatchFile = { name: fileName, size: staged.size, stagedAs: staged.stagedAs };
        const files = [...current.files.filter((f) => f.name !== fileName), entry].sort((a, b) => (a.name < b.name ? -1 : 1));
        return { ...current, files };
      });
    } catch (error) {
      await this.deps.lake.discardStagedFile(batchId, staged.stagedAs);
      throw error;
    }
    if (replaced !== undefined) await this.deps.lake.discardStagedFile(batchId, replaced.stagedAs ?? replaced.name);
  }

  /** `?action=COMPLETE`: `loading` → `processing` and an ingestion job is enqueued; on a batch past loading it changes nothing. */
  async complete(scope: SandboxScopedStore, batchId: string): Promise<void> {
    const batch = await this.load(scope, batchId);
    if (batch.status !== 'loading') return;
    const updated = await this.mutate(scope, batchId, (current) => (current.status === 'loading' ? { ...current, status: 'processing' } : current));
    if (updated.status !== 'processing' || updated.etag === batch.etag) return;
    await this.enqueueIngestion(scope, updated);
    this.pending.set(batchId, scope);
  }

  /** `?action=ABORT`, only while loading. */
  async abort(scope: SandboxScopedStore, batchId: string): Promise<void> {
    const batch = await this.load(scope, batchId);
    if (batch.status !== 'loading') throw new AppError('BAD_REQUEST', `Batch ${batchId} is ${batch.status}: only a loading batch can be aborted`);
    await this.mutate(scope, batchId, (current) => ({ ...current, status: 'aborted', completedAt: this.deps.clock.now() }));
    await this.deps.lake.discardStaging(batchId);
  }

  /**
   * Resolves when every batch completed through this instance has finished processing — here, or in another
   * process holding its job (tests, demo seeding). Rejects when the store does.
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      await this.deps.runDueJobs();
      for (const [batchId, scope] of [...this.pending]) {
        const batch = await scope.batches.get(batchId);
        if (batch?.status !== 'processing') this.pending.delete(batchId);
      }
      if (this.pending.size === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Runs one claimed `ingest-batch` job. `cutOffBefore`: the job had been claimed before and that worker's
   * lease expired — its ingestion was cut off, and the batch fails with `INGESTION_INTERRUPTED` (see
   * {@link ingestionStep}). Batches whose job is held by a live worker are never touched.
   */
  async runIngestJob(scope: SandboxScopedStore, batchId: string, cutOffBefore: boolean): Promise<void> {
    const record = await scope.batches.get(batchId);
    const batch = record === undefined ? undefined : fromBatchRecord(record, scope.sandboxId);
    switch (ingestionStep(batch?.status, cutOffBefore)) {
      case 'ingest':
        if (batch !== undefined) await this.process(scope, batch);
        return;
      case 'fail-interrupted':
        await this.finishIfProcessing(scope, batchId, (current) => ({
          ...current, status: 'failed', completedAt: this.deps.clock.now(), errors: [{ code: 'INGESTION_INTERRUPTED', message: INTERRUPTED_MESSAGE }],
        }));
        this.deps.observe?.({ batchId, sandboxId: scope.sandboxId, status: 'failed', error: new Error(INTERRUPTED_MESSAGE) });
        await this.deps.lake.discardStaging(batchId);
        return;
      case 'discard-staging':
        await this.deps.lake.discardStaging(batchId);
        return;
      case 'nothing':
        return;
    }
  }

  /**
   * Enqueues the ingestion of `processing` batches that have no unfinished job — a process stopped between
   * COMPLETE's status change and its enqueue. Idempotent: a live process enqueueing the same batch gets the
   * same job. Returns how many were enqueued.
   */
  async resumeOrphans(scope: SandboxScopedStore): Promise<number> {
    let resumed = 0;
    for (const batch of await this.select(scope, { order: 'newest-first', status: 'processing' })) {
      const job = await this.deps.jobs.findLatest(INGEST_BATCH_JOB, batch.id);
      if (job !== undefined && (job.state === 'queued' || job.state === 'running')) continue;
      await this.enqueueIngestion(scope, batch);
      resumed += 1;
    }
    return resumed;
  }

  /** Forgets the batches of a deleted dataset (SPEC §3.2: deleting a dataset deletes its batches), with any staged uploads. */
  async removeOfDataset(scope: SandboxScopedStore, datasetId: string): Promise<void> {
    for (const batch of await this.ofDatasets(scope, [datasetId])) {
      await scope.batches.delete(batch.id);
      await this.deps.lake.discardStaging(batch.id);
    }
  }

  /** Forgets every batch of a sandbox and its pending jobs (sandbox reset/delete; lake files are removed separately). */
  async removeAll(scope: SandboxScopedStore): Promise<void> {
    await this.deps.jobs.deleteOfSandbox(scope.sandboxId);
    await scope.batches.deleteAll();
  }

  /** Lake directories of each dataset's successful batches, in completion order, from one query. */
  async successfulBatchDirs(scope: SandboxScopedStore): Promise<ReadonlyMap<string, string[]>> {
    const dirs = new Map<string, string[]>();
    for (const batch of await this.select(scope, { order: 'completion', status: 'success' })) {
      const list = dirs.get(batch.datasetId) ?? [];
      list.push(this.deps.lake.batchLakeDir(scope.sandboxId, batch.datasetId, batch.id));
      dirs.set(batch.datasetId, list);
    }
    return dirs;
  }

  private async process(scope: SandboxScopedStore, batch: Batch): Promise<void> {
    const completedAt = this.deps.clock.now();
    try {
      const dataset = await this.deps.datasets.get(scope, batch.datasetId);
      const result = await this.deps.engine.ingest({
        sandboxId: scope.sandboxId, datasetId: batch.datasetId, batchId: batch.id, schema: dataset.schema, format: batch.inputFormat,
        files: this.deps.lake.stagedFiles(batch.id, batch.files), errorThreshold: batch.errorThreshold, completedAt,
        lakeDir: this.deps.lake.batchLakeDir(scope.sandboxId, batch.datasetId, batch.id), errorsDir: this.deps.lake.errorsDir(batch.id),
        tmpDir: this.deps.lake.tmpDir,
      });
      await this.finishIfProcessing(scope, batch.id, (current) => ({
        ...current, status: result.status, completedAt,
        files: current.files.map((file) => ({ ...file, records: result.files.find((f) => f.name === file.name)?.records ?? 0 })),
        metrics: { inputRecordCount: result.inputRecordCount, outputRecordCount: result.outputRecordCount, failedRecordCount: result.failedRecordCount, inputByteSize: result.inputByteSize },
        errorCounts: result.errorCounts, failedRows: result.failedRows, ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
      }));
      this.deps.observe?.({ batchId: batch.id, sandboxId: scope.sandboxId, status: result.status, rows: result.outputRecordCount, rejected: result.failedRecordCount });
    } catch (error) {
      await this.finishIfProcessing(scope, batch.id, (current) => ({ ...current, status: 'failed', completedAt })).catch(() => undefined);
      this.deps.observe?.({ batchId: batch.id, sandboxId: scope.sandboxId, status: 'failed', error });
    } finally {
      await this.deps.lake.discardStaging(batch.id);
    }
  }

  private async enqueueIngestion(scope: SandboxScopedStore, batch: Batch): Promise<void> {
    await this.deps.jobs.enqueue({
      kind: INGEST_BATCH_JOB, subjectId: batch.id, sandboxId: scope.sandboxId, queueKey: ingestQueueKey(scope.sandboxId, batch.datasetId), oncePerSubject: true,
    }, this.deps.clock.now());
    void this.deps.runDueJobs().catch(() => undefined);
  }

  private async load(scope: SandboxScopedStore, batchId: string): Promise<VersionedBatch> {
    const record = await scope.batches.get(batchId);
    if (record === undefined) throw batchNotFound(batchId);
    return fromBatchRecord(record, scope.sandboxId);
  }

  private async select(scope: SandboxScopedStore, query: Parameters<SandboxScopedStore['batches']['list']>[0]): Promise<Batch[]> {
    return (await scope.batches.list(query)).map((record) => {
      const { etag: _etag, ...batch } = fromBatchRecord(record, scope.sandboxId);
      return batch;
    });
  }

  /**
   * Writes a final status only over `processing`: when two workers race for one batch (one cut off but
   * still running, one that took over), the first final write wins and the other changes nothing.
   */
  private async finishIfProcessing(scope: SandboxScopedStore, batchId: string, change: (current: VersionedBatch) => VersionedBatch): Promise<void> {
    await this.mutate(scope, batchId, (current) => (current.status === 'processing' ? change(current) : current));
  }

  /** Read-modify-write with compare-and-set, retried when another writer got there first; unchanged batches are not written. */
  private async mutate(scope: SandboxScopedStore, batchId: string, change: (current: VersionedBatch) => VersionedBatch): Promise<VersionedBatch> {
    for (let attempt = 0; ; attempt += 1) {
      const current = await this.load(scope, batchId);
      const changed = change(current);
      if (changed === current) return current;
      const next = { ...changed, etag: this.etag(), updatedAt: this.deps.clock.now() };
      const { id: _id, datasetId: _dataset, createdAt: _created, createdBy: _by, ...patch } = toBatchRecord(next);
      const replaced = await scope.batches.replace(batchId, current.etag, patch);
      if (replaced === undefined) throw batchNotFound(batchId);
      if (replaced !== 'stale') return next;
      if (attempt >= 20) throw new AppError('PRECONDITION_FAILED', `Batch ${batchId} kept changing while being updated`);
    }
  }

  private etag(): string {
    return `"${this.deps.ids.uuid()}"`;
  }
}
