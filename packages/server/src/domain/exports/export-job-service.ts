// Export jobs (SPEC §5.9): validate and record the request, prepare the destination batches, queue the durable work.
import { AppError } from '../../errors.js';
import type { ExportJobRecord, ExportJobStatus, JobRepository, SandboxScopedStore, SegmentJobRecord } from '../../storage/store.js';
import type { BatchService } from '../datasets/batch-service.js';
import type { DatasetService } from '../datasets/dataset-service.js';
import type { MergePolicyService } from '../profiles/merge-policy-service.js';
import type { Clock, IdGenerator } from '../runtime.js';
import { IDENTITIES_FIELD, parseExportRequest, type ExportRequest } from './export-request.js';

/** The durable job kind that runs one export job; its subject is `<sandboxId>/<export job id>`. */
export const EXPORT_JOB = 'export-job';
export const CANCEL_MESSAGE = 'Export job has been marked for cancelling';
export const FINAL_EXPORT_STATUSES: readonly ExportJobStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export const exportJobNotFound = (id: string | number) => new AppError('NOT_FOUND', `Export job ${id} not found`);

/** Starts the segment job of `evaluationInfo.segmentation` (the segment job service). */
export interface SegmentJobStarter {
  create(scope: SandboxScopedStore, requested: readonly string[]): Promise<SegmentJobRecord>;
}

export interface ExportJobServiceDeps {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly jobs: JobRepository;
  readonly datasets: DatasetService;
  readonly batches: BatchService;
  readonly policies: MergePolicyService;
  readonly segmentJobs: SegmentJobStarter;
  /** Wakes this process's job worker. */
  readonly runDueJobs: () => Promise<unknown>;
}

export interface ExportJobList {
  readonly records: readonly ExportJobRecord[];
  /** Cursor of the last record when another page follows. */
  readonly next: string | undefined;
}

/** The stored request: what `parseExportRequest` returned. */
export const requestOf = (job: ExportJobRecord) => job.request as ExportRequest;

/** `<creationTimeMs>_<id>` (SPEC §1.5 `offset`). */
export const cursorOf = (job: Pick<ExportJobRecord, 'createdAt' | 'id'>) => `${job.createdAt}_${job.id}`;

export class ExportJobService {
  constructor(private readonly deps: ExportJobServiceDeps) {}

  async create(scope: SandboxScopedStore, body: unknown, by: string, requestId: string | undefined): Promise<ExportJobRecord> {
    const request = parseExportRequest(body);
    await this.checkDestination(scope, request);
    for (const { segmentId } of request.segments) {
      if ((await scope.segmentDefinitions.get(segmentId)) === undefined) throw new AppError('VALIDATION', `filter.segments: segment definition ${segmentId} not found in this sandbox`);
    }
    if (request.mergePolicy !== undefined) {
      await this.deps.policies.get(scope, request.mergePolicy.id).catch(() => {
        throw new AppError('VALIDATION', `mergePolicy.id: merge policy ${request.mergePolicy?.id ?? ''} not found in this sandbox`);
      });
    }
    if (!request.segmentation) {
      const latest = await scope.segmentSnapshots.latestVisible(request.segments.map((s) => s.segmentId));
      const missing = request.segments.filter((s) => !latest.has(s.segmentId)).map((s) => s.segmentId);
      if (missing.length > 0) {
        throw new AppError('VALIDATION', `Audience ${missing.join(', ')} has no evaluation yet: run a segment job first, or set evaluationInfo.segmentation to true`);
      }
    }
    const segmentJob = request.segmentation ? await this.deps.segmentJobs.create(scope, request.segments.map((s) => s.segmentId)) : undefined;
    const batchCount = request.destination.segmentPerBatch ? request.segments.length : 1;
    const batchIds: string[] = [];
    for (let index = 0; index < batchCount; index += 1) {
      batchIds.push((await this.deps.batches.create(scope, { datasetId: request.destination.datasetId, format: 'json', errorThreshold: undefined }, by)).id);
    }
    const now = this.deps.clock.now();
    const job = await scope.exportJobs.create({
      status: 'NEW', request, batchIds, metrics: null, errors: [], segmentJobId: segmentJob?.id ?? null, computeJobId: this.deps.ids.uuid(),
      requestId: requestId ?? null, createdBy: by, createdAt: now, updatedAt: now,
    });
    if (segmentJob === undefined) await this.enqueue(scope, job);
    return job;
  }

  async get(scope: SandboxScopedStore, id: string): Promise<ExportJobRecord> {
    const job = /^\d{1,15}$/.test(id) ? await scope.exportJobs.get(Number(id)) : undefined;
    if (job === undefined) throw exportJobNotFound(id);
    return job;
  }

  async list(scope: SandboxScopedStore, query: { limit: number; offset?: string | undefined; statuses?: readonly ExportJobStatus[] | undefined }): Promise<ExportJobList> {
    let before: { createdAt: number; id: number } | undefined;
    // `offset=0` (what clients written for numeric offsets send for the first page) is the first page.
    if (query.offset !== undefined && query.offset !== '0') {
      const match = /^(\d{1,15})_(\d{1,15})$/.exec(query.offset);
      if (match === null) throw new AppError('VALIDATION', `Invalid offset ${JSON.stringify(query.offset)}: pass the pageOffset of a previous page (<creationTimeMs>_<id>)`);
      before = { createdAt: Number(match[1]), id: Number(match[2]) };
    }
    const rows = await scope.exportJobs.list({ statuses: query.statuses, before, limit: query.limit + 1 });
    const records = rows.slice(0, query.limit);
    const last = records[records.length - 1];
    return { records, next: rows.length > query.limit && last !== undefined ? cursorOf(last) : undefined };
  }

  /** DELETE: a NEW job is cancelled at once, a PROCESSING one is marked CANCELLING (its runner stops before writing). */
  async cancel(scope: SandboxScopedStore, id: string): Promise<void> {
    const job = await this.get(scope, id);
    const now = this.deps.clock.now();
    if (job.status === 'NEW' && (await scope.exportJobs.update(job.id, ['NEW'], { status: 'CANCELLED', updatedAt: now })) !== undefined) {
      await this.abortBatches(scope, job);
      return;
    }
    if ((await scope.exportJobs.update(job.id, ['PROCESSING'], { status: 'CANCELLING', updatedAt: now })) !== undefined) return;
    const current = await this.get(scope, id);
    if (current.status === 'CANCELLING') return;
    throw new AppError('BAD_REQUEST', `Export job ${id} has already ended (${current.status}) and cannot be cancelled`);
  }

  /** The segment job listener: queues the export jobs that waited for it (or fails them when it did not succeed). */
  async segmentJobFinished(job: SegmentJobRecord, scope: SandboxScopedStore): Promise<void> {
    for (const waiting of await scope.exportJobs.listWaitingFor(job.id)) {
      if (job.status === 'SUCCEEDED') {
        await this.enqueue(scope, waiting);
        continue;
      }
      const failed = await scope.exportJobs.update(waiting.id, ['NEW'], {
        status: 'FAILED', errors: [{ code: 'EXPORT-JOB-FAILED', msg: `The segment job ${job.id} run first ended ${job.status}` }], updatedAt: this.deps.clock.now(),
      });
      if (failed !== undefined) await this.abortBatches(scope, failed);
    }
  }

  /** Loading batches of a job that will never be written are aborted. */
  async abortBatches(scope: SandboxScopedStore, job: ExportJobRecord): Promise<void> {
    for (const batchId of job.batchIds) {
      const batch = await this.deps.batches.get(scope, batchId).catch(() => undefined);
      if (batch?.status === 'loading') await this.deps.batches.abort(scope, batchId).catch(() => undefined);
    }
  }

  /**
   * Start-up: export jobs still NEW are queued again (their durable job may be lost with a crash between the two
   * writes of `create`), and those waiting for a segment job that ended meanwhile are released. Returns how many.
   */
  async resumeOrphans(scope: SandboxScopedStore): Promise<number> {
    let resumed = 0;
    for (const job of await scope.exportJobs.list({ statuses: ['NEW'], limit: 10_000 })) {
      if (job.segmentJobId === null) {
        await this.enqueue(scope, job);
        resumed += 1;
        continue;
      }
      const segmentJob = await scope.segmentJobs.get(job.segmentJobId);
      if (segmentJob === undefined || ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(segmentJob.status)) {
        await this.segmentJobFinished(segmentJob ?? { id: job.segmentJobId, status: 'FAILED' } as SegmentJobRecord, scope);
        resumed += 1;
      }
    }
    return resumed;
  }

  async clear(scope: SandboxScopedStore): Promise<void> {
    await scope.exportJobs.deleteAll();
  }

  private async checkDestination(scope: SandboxScopedStore, request: ExportRequest): Promise<void> {
    const { datasetId } = request.destination;
    const dataset = await this.deps.datasets.get(scope, datasetId).catch(() => undefined);
    if (dataset === undefined) throw new AppError('VALIDATION', `destination.datasetId: dataset ${datasetId} not found in this sandbox`);
    if (dataset.schema.class !== 'profile' || dataset.profileEnabled) {
      throw new AppError('VALIDATION', `destination.datasetId: dataset ${datasetId} must be a profile dataset with profileEnabled false (exports never feed profiles back)`);
    }
    const declared = new Set(dataset.schema.fields.map((field) => field.path));
    const unknown = request.fields.filter((path) => path !== IDENTITIES_FIELD && !declared.has(path));
    if (unknown.length > 0) throw new AppError('VALIDATION', `fields: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not declared in dataset ${datasetId}; add them to its schema or leave them out`);
  }

  private async enqueue(scope: SandboxScopedStore, job: ExportJobRecord): Promise<void> {
    await this.deps.jobs.enqueue({ kind: EXPORT_JOB, subjectId: `${scope.sandboxId}/${job.id}`, sandboxId: scope.sandboxId, oncePerSubject: true }, this.deps.clock.now());
    void this.deps.runDueJobs().catch(() => undefined);
  }
}
