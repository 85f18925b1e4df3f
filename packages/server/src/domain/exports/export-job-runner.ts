// Runs one export job (SPEC §5.9): latest snapshots → the engine's member export (one SQL pass, NDJSON files) → destination batches.
import path from 'node:path';
import { Readable } from 'node:stream';
import type { MemberExport, MemberExportSource, ProfileScope, SegmentEngine } from '../../engine/engine.js';
import type { ExportJobRecord, SandboxScopedStore, SegmentSnapshotRecord } from '../../storage/store.js';
import type { BatchService } from '../datasets/batch-service.js';
import type { DatasetService } from '../datasets/dataset-service.js';
import type { Clock } from '../runtime.js';
import { requestOf, type ExportJobService } from './export-job-service.js';
import { IDENTITIES_FIELD, type ExportRequest } from './export-request.js';

export interface ExportJobRunnerDeps {
  readonly clock: Clock;
  readonly engine: Pick<SegmentEngine, 'exportMembers'>;
  readonly profileScope: (scope: SandboxScopedStore, policyId: string) => Promise<{ profileScope: ProfileScope }>;
  readonly datasets: DatasetService;
  readonly batches: BatchService;
  readonly service: ExportJobService;
  /** Scratch space of the engine's export files (`tmp/exports`). */
  readonly workDir: string;
  /** One uploaded file's limit (ACTIVATOR_MAX_UPLOAD_BYTES): larger exports are split into several files of the batch. */
  readonly maxFileBytes: number;
}

class ExportCancelled extends Error {}

export class ExportJobRunner {
  constructor(private readonly deps: ExportJobRunnerDeps) {}

  /** The durable job's handler; `subject` is `<sandboxId>/<export job id>`. A failure ends the job FAILED (never thrown). */
  async run(scope: SandboxScopedStore, subject: string): Promise<void> {
    const id = Number(subject.slice(subject.lastIndexOf('/') + 1));
    const job = await scope.exportJobs.get(id);
    if (job === undefined) return;
    const start = this.deps.clock.now();
    if (job.status === 'CANCELLING') return this.cancelled(scope, job);
    const started = await scope.exportJobs.update(id, ['NEW', 'PROCESSING'], { status: 'PROCESSING', updatedAt: start });
    if (started === undefined) return;
    try {
      const metrics = await this.export(scope, started, start);
      const done = await scope.exportJobs.update(id, ['PROCESSING'], { status: 'SUCCEEDED', metrics, updatedAt: this.deps.clock.now() });
      if (done === undefined) await this.cancelled(scope, started);
    } catch (error) {
      if (error instanceof ExportCancelled) return this.cancelled(scope, started);
      const msg = error instanceof Error ? error.message : String(error);
      await scope.exportJobs.update(id, ['PROCESSING', 'CANCELLING'], { status: 'FAILED', errors: [{ code: 'EXPORT-JOB-FAILED', msg }], updatedAt: this.deps.clock.now() });
      await this.deps.service.abortBatches(scope, started);
    }
  }

  private async cancelled(scope: SandboxScopedStore, job: ExportJobRecord): Promise<void> {
    await scope.exportJobs.update(job.id, ['NEW', 'PROCESSING', 'CANCELLING'], { status: 'CANCELLED', updatedAt: this.deps.clock.now() });
    await this.deps.service.abortBatches(scope, job);
  }

  private async export(scope: SandboxScopedStore, job: ExportJobRecord, start: number) {
    const request = requestOf(job);
    if (job.segmentJobId !== null) {
      const segmentJob = await scope.segmentJobs.get(job.segmentJobId);
      if (segmentJob?.status !== 'SUCCEEDED') throw new Error(`The segment job ${job.segmentJobId} run first ended ${segmentJob?.status ?? 'missing'}`);
    }
    const dataset = await this.deps.datasets.get(scope, request.destination.datasetId);
    // segmentMembership is a system field (never declared): every row carries it, whatever the destination declares.
    const fields = request.fields.length > 0 ? request.fields.filter((f) => f !== IDENTITIES_FIELD) : dataset.schema.fields.map((field) => field.path);
    const latest = await scope.segmentSnapshots.latestVisible(request.segments.map((s) => s.segmentId));
    const sources = request.segments.map((filter) => {
      const snapshot = latest.get(filter.segmentId);
      if (snapshot === undefined) throw new Error(`Audience ${filter.segmentId} has no evaluation: run a segment job first`);
      return { filter, snapshot, source: exportSource(request, filter, snapshot) };
    });
    const groups = request.destination.segmentPerBatch ? sources.map((source) => [source]) : [sources];
    const exportStart = this.deps.clock.now();
    let total = 0;
    const byNamespace: Record<string, number> = {};
    for (const [index, group] of groups.entries()) {
      const batchId = job.batchIds[index];
      if (batchId === undefined) throw new Error('The export job has fewer batches than groups of rows');
      // Audiences evaluated under different merge policies (no policy in the request) are exported under each one.
      const byPolicy = new Map<string, MemberExportSource[]>();
      for (const { snapshot, source } of group) {
        const policyId = request.mergePolicy?.id ?? snapshot.mergePolicyId;
        byPolicy.set(policyId, [...(byPolicy.get(policyId) ?? []), source]);
      }
      const exports: MemberExport[] = [];
      try {
        for (const [policyId, policySources] of byPolicy) {
          const { profileScope } = await this.deps.profileScope(scope, policyId);
          const workDir = path.join(this.deps.workDir, `${scope.sandboxId}-${job.id}-${index}-${exports.length}`);
          exports.push(await this.deps.engine.exportMembers({ scope: profileScope, sources: policySources, fields, includeEmptyProfiles: request.emptyProfiles, workDir, maxFileBytes: this.deps.maxFileBytes }));
        }
        if ((await scope.exportJobs.get(job.id))?.status !== 'PROCESSING') throw new ExportCancelled();
        const files = exports.flatMap((written) => written.files);
        if (files.length === 0) await this.deps.batches.upload(scope, batchId, request.destination.datasetId, 'export.json', Readable.from([Buffer.alloc(0)]), 0);
        for (const [n, file] of files.entries()) {
          await this.deps.batches.upload(scope, batchId, request.destination.datasetId, n === 0 ? 'export.json' : `export-${n + 1}.json`, file.read(), file.bytes);
        }
        await this.deps.batches.complete(scope, batchId);
      } finally {
        await Promise.all(exports.map((written) => written.discard()));
      }
      for (const written of exports) {
        total += written.rows;
        for (const [namespace, count] of Object.entries(written.byNamespace)) byNamespace[namespace] = (byNamespace[namespace] ?? 0) + count;
      }
    }
    const end = this.deps.clock.now();
    return {
      totalTime: { startTimeInMs: start, endTimeInMs: end, totalTimeInMs: end - start },
      profileExportTime: { startTimeInMs: exportStart, endTimeInMs: end, totalTimeInMs: end - exportStart },
      totalExportedProfileCounter: total, exportedProfileByNamespaceCounter: byNamespace,
    };
  }
}

/** One audience's snapshot as the engine reads it: the request's status and time filters; rows carry its membership under its id. */
function exportSource(request: ExportRequest, filter: ExportRequest['segments'][number], snapshot: SegmentSnapshotRecord): MemberExportSource {
  return {
    snapshot: { path: snapshot.filePath }, statuses: filter.status,
    qualifiedFrom: request.qualificationTime?.start, qualifiedBefore: request.qualificationTime?.end,
    audienceId: filter.segmentId,
  };
}
