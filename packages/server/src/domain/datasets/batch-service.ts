// Batch ingestion (SPEC §3.3–3.4): create, upload (streamed to staging), complete → validate + publish in the engine, abort.
import { AppError } from '../../errors.js';
import { UploadRejectedError, type IngestionEngine, type LakeStorage } from '../../engine/engine.js';
import type { InputFormat } from '../../engine/lake-schema.js';
import type { SandboxScopedStore, ScopedDocumentRecord } from '../../storage/store.js';
import { EntityDocuments } from '../destinations/entity-documents.js';
import type { Clock, IdGenerator } from '../runtime.js';
import { newBatchId } from './batch-ids.js';
import { fileNameProblem } from './file-names.js';
import type { DatasetService } from './dataset-service.js';
import type { Batch, BatchFile } from './dataset-types.js';

export const MAX_FILES_PER_BATCH = 1000;

export interface BatchInput {
  readonly datasetId: string;
  readonly format: InputFormat;
  readonly errorThreshold: number | undefined;
}

export const batchNotFound = (id: string) => new AppError('NOT_FOUND', `Batch ${id} not found`);

type StoredBatch = Omit<Batch, 'id' | 'sandboxId' | 'createdAt' | 'updatedAt' | 'createdBy'>;
type BatchEntity = Batch & { readonly name: string; readonly etag: string };

/** Reports what happened to a batch in the background (for logs and metrics). */
export type BatchObserver = (event: { batchId: string; sandboxId: string; status: Batch['status']; rows?: number; rejected?: number; error?: unknown }) => void;

export class BatchService {
  private readonly documents = new EntityDocuments<BatchEntity>(
    'batches',
    ({ id: _i, sandboxId: _s, name: _n, etag: _e, createdAt: _c, updatedAt: _u, createdBy: _b, ...rest }): StoredBatch => rest,
    (document: ScopedDocumentRecord, sandboxId: string): BatchEntity => ({
      ...(document.data as StoredBatch), id: document.id, sandboxId, name: document.name, etag: document.etag,
      createdAt: document.createdAt, updatedAt: document.updatedAt, createdBy: document.createdBy,
    }),
    batchNotFound,
  );
  /** One processing chain per dataset: batches of a dataset are processed in completion order. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: {
      ids: IdGenerator; clock: Clock; lake: LakeStorage; engine: IngestionEngine; datasets: DatasetService;
      maxUploadBytes: number; observe?: BatchObserver | undefined;
    },
  ) {}

  async create(scope: SandboxScopedStore, input: BatchInput, by: string): Promise<Batch> {
    await this.deps.datasets.get(scope, input.datasetId);
    const now = this.deps.clock.now();
    const batch: BatchEntity = {
      id: newBatchId(now, this.deps.ids), name: input.datasetId, etag: this.etag(), sandboxId: scope.sandboxId, datasetId: input.datasetId,
      status: 'loading', inputFormat: input.format, ...(input.errorThreshold === undefined ? {} : { errorThreshold: input.errorThreshold }),
      files: [], createdAt: now, updatedAt: now, createdBy: by,
    };
    await this.documents.insert(scope, batch, { createdAt: now, createdBy: by });
    return batch;
  }

  get(scope: SandboxScopedStore, id: string): Promise<Batch> {
    return this.documents.get(scope, id);
  }

  list(scope: SandboxScopedStore): Promise<Batch[]> {
    return this.documents.all(scope);
  }

  /**
   * Streams one file into the batch's staging area; the batch must be `loading`. Each upload is staged on its
   * own; recording it in the batch is the atomic step, so of two uploads of one name the one recorded last
   * wins, and the file it replaced is removed.
   */
  async upload(scope: SandboxScopedStore, batchId: string, datasetId: string, fileName: string, body: AsyncIterable<Uint8Array>, declaredLength: number | undefined): Promise<void> {
    const batch = await this.documents.get(scope, batchId);
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

  /** `?action=COMPLETE`: `loading` → `processing` and validation starts; on a batch past loading it changes nothing. */
  async complete(scope: SandboxScopedStore, batchId: string): Promise<void> {
    const batch = await this.documents.get(scope, batchId);
    if (batch.status !== 'loading') return;
    const updated = await this.mutate(scope, batchId, (current) => (current.status === 'loading' ? { ...current, status: 'processing' } : current));
    if (updated.status !== 'processing' || batch.status !== 'loading') return;
    const key = `${scope.sandboxId}/${updated.datasetId}`;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.process(scope, updated));
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  /** `?action=ABORT`, only while loading. */
  async abort(scope: SandboxScopedStore, batchId: string): Promise<void> {
    const batch = await this.documents.get(scope, batchId);
    if (batch.status !== 'loading') throw new AppError('BAD_REQUEST', `Batch ${batchId} is ${batch.status}: only a loading batch can be aborted`);
    await this.mutate(scope, batchId, (current) => ({ ...current, status: 'aborted', completedAt: this.deps.clock.now() }));
    await this.deps.lake.discardStaging(batchId);
  }

  /** Resolves when every batch completed so far has been processed (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  /** Batches found `processing` at start-up were cut off by a crash: they fail, and none of their rows is visible. */
  async failInterrupted(scope: SandboxScopedStore): Promise<number> {
    const interrupted = (await this.list(scope)).filter((batch) => batch.status === 'processing');
    for (const batch of interrupted) {
      await this.mutate(scope, batch.id, (current) => ({
        ...current, status: 'failed', completedAt: this.deps.clock.now(), errorCounts: { INGESTION_INTERRUPTED: 1 },
      }));
      await this.deps.lake.discardStaging(batch.id);
    }
    return interrupted.length;
  }

  /** Forgets the batches of a deleted dataset (SPEC §3.2: deleting a dataset deletes its batches), with any staged uploads. */
  async removeOfDataset(scope: SandboxScopedStore, datasetId: string): Promise<void> {
    for (const batch of (await this.list(scope)).filter((candidate) => candidate.datasetId === datasetId)) {
      await this.documents.remove(scope, batch.id);
      await this.deps.lake.discardStaging(batch.id);
    }
  }

  /** Lake directories of each dataset's successful batches, in completion order, from one read of the batch list. */
  async successfulBatchDirs(scope: SandboxScopedStore): Promise<ReadonlyMap<string, string[]>> {
    const dirs = new Map<string, string[]>();
    const successful = (await this.list(scope))
      .filter((batch) => batch.status === 'success')
      .sort((a, b) => (a.completedAt ?? 0) - (b.completedAt ?? 0) || (a.id < b.id ? -1 : 1));
    for (const batch of successful) {
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
      await this.mutate(scope, batch.id, (current) => ({
        ...current, status: result.status, completedAt,
        files: current.files.map((file) => ({ ...file, records: result.files.find((f) => f.name === file.name)?.records ?? 0 })),
        metrics: { inputRecordCount: result.inputRecordCount, outputRecordCount: result.outputRecordCount, failedRecordCount: result.failedRecordCount, inputByteSize: result.inputByteSize },
        errorCounts: result.errorCounts, failedRows: result.failedRows, ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
      }));
      this.deps.observe?.({ batchId: batch.id, sandboxId: scope.sandboxId, status: result.status, rows: result.outputRecordCount, rejected: result.failedRecordCount });
    } catch (error) {
      await this.mutate(scope, batch.id, (current) => ({ ...current, status: 'failed', completedAt })).catch(() => undefined);
      this.deps.observe?.({ batchId: batch.id, sandboxId: scope.sandboxId, status: 'failed', error });
    } finally {
      await this.deps.lake.discardStaging(batch.id);
    }
  }

  /** Read-modify-write with compare-and-set, retried when another writer got there first. */
  private async mutate(scope: SandboxScopedStore, batchId: string, change: (current: BatchEntity) => BatchEntity): Promise<BatchEntity> {
    for (let attempt = 0; ; attempt += 1) {
      const current = await this.documents.get(scope, batchId);
      const next = { ...change(current), etag: this.etag(), updatedAt: this.deps.clock.now() };
      try {
        return await this.documents.replace(scope, current, next, { updatedAt: next.updatedAt, updatedBy: current.createdBy, supplied: current.etag });
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'PRECONDITION_FAILED') || attempt >= 20) throw error;
      }
    }
  }

  private etag(): string {
    return `"${this.deps.ids.uuid()}"`;
  }
}
