// Runs one export job (SPEC §5.9): latest snapshots → filtered members → merged profiles → NDJSON into the destination batches.
import { Readable } from 'node:stream';
import type { MergedProfile, ProfileEngine, ProfileScope, SegmentEngine } from '../../engine/engine.js';
import type { ExportJobRecord, SandboxScopedStore, SegmentSnapshotRecord } from '../../storage/store.js';
import type { BatchService } from '../datasets/batch-service.js';
import type { DatasetService } from '../datasets/dataset-service.js';
import type { Clock } from '../runtime.js';
import { requestOf, type ExportJobService } from './export-job-service.js';
import type { ExportRequest } from './export-request.js';
import { exportRow, type Membership } from './export-rows.js';

export interface ExportJobRunnerDeps {
  readonly clock: Clock;
  readonly engine: Pick<SegmentEngine, 'readSnapshot'> & Pick<ProfileEngine, 'lookupProfile'>;
  readonly profileScope: (scope: SandboxScopedStore, policyId: string) => Promise<{ profileScope: ProfileScope }>;
  readonly datasets: DatasetService;
  readonly batches: BatchService;
  readonly service: ExportJobService;
}

interface Member {
  readonly profile: MergedProfile;
  readonly membership: Map<string, Membership>;
}

/** A buffer as the one-chunk stream `BatchService.upload` reads. */
const oneChunk = (bytes: Buffer): AsyncIterable<Uint8Array> => Readable.from([bytes]);

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
    const declared = new Set(dataset.schema.fields.map((field) => field.path));
    const profileDatasetIds = new Set<string>();
    const latest = await scope.segmentSnapshots.latestVisible(request.segments.map((s) => s.segmentId));
    const groups: Map<string, Member>[] = [];
    const union = new Map<string, Member>();
    for (const filter of request.segments) {
      const snapshot = latest.get(filter.segmentId);
      if (snapshot === undefined) throw new Error(`Audience ${filter.segmentId} has no evaluation: run a segment job first`);
      const members = await this.membersOf(scope, request, filter, snapshot, profileDatasetIds);
      const target = request.destination.segmentPerBatch ? new Map<string, Member>() : union;
      for (const [key, member] of members) {
        const existing = target.get(key);
        if (existing === undefined) target.set(key, member);
        else for (const [segmentId, entry] of member.membership) existing.membership.set(segmentId, entry);
      }
      if (request.destination.segmentPerBatch) groups.push(target);
    }
    if (!request.destination.segmentPerBatch) groups.push(union);
    const exportStart = this.deps.clock.now();
    let total = 0;
    const byNamespace: Record<string, number> = {};
    for (const [index, group] of groups.entries()) {
      const batchId = job.batchIds[index];
      if (batchId === undefined) throw new Error('The export job has fewer batches than groups of rows');
      const kept = [...group.values()].filter((m) => request.emptyProfiles || m.profile.sources.some((source) => profileDatasetIds.has(source)));
      const lines = kept.map((m) => JSON.stringify(exportRow(m.profile, request.fields, declared, m.membership)));
      if ((await scope.exportJobs.get(job.id))?.status !== 'PROCESSING') throw new ExportCancelled();
      const bytes = Buffer.from(lines.length === 0 ? '' : `${lines.join('\n')}\n`, 'utf8');
      await this.deps.batches.upload(scope, batchId, request.destination.datasetId, 'export.json', oneChunk(bytes), bytes.length);
      await this.deps.batches.complete(scope, batchId);
      total += kept.length;
      for (const member of kept) {
        for (const namespace of new Set(member.profile.identities.map((identity) => identity.namespace))) byNamespace[namespace] = (byNamespace[namespace] ?? 0) + 1;
      }
    }
    const end = this.deps.clock.now();
    return {
      totalTime: { startTimeInMs: start, endTimeInMs: end, totalTimeInMs: end - start },
      profileExportTime: { startTimeInMs: exportStart, endTimeInMs: end, totalTimeInMs: end - exportStart },
      totalExportedProfileCounter: total, exportedProfileByNamespaceCounter: byNamespace,
    };
  }

  /** Snapshot rows passing the status and time filters, resolved to current profiles (two keys of one profile → one). */
  private async membersOf(
    scope: SandboxScopedStore, request: ExportRequest, filter: ExportRequest['segments'][number], snapshot: SegmentSnapshotRecord, profileDatasetIds: Set<string>,
  ): Promise<Map<string, Member>> {
    const window = request.qualificationTime;
    const rows = (await this.deps.engine.readSnapshot({ path: snapshot.filePath })).filter((row) => filter.status.includes(row.status)
      && (window?.start === undefined || row.lastQualificationTime >= window.start) && (window?.end === undefined || row.lastQualificationTime < window.end));
    const { profileScope } = await this.deps.profileScope(scope, request.mergePolicy?.id ?? snapshot.mergePolicyId);
    for (const dataset of profileScope.profileDatasets) profileDatasetIds.add(dataset.id);
    const members = new Map<string, Member>();
    for (const row of rows) {
      const separator = row.profileKey.indexOf(':');
      const profile = await this.deps.engine.lookupProfile(profileScope, { namespace: row.profileKey.slice(0, separator), id: row.profileKey.slice(separator + 1) });
      if (profile === undefined) continue;
      const member = members.get(profile.profileKey) ?? { profile, membership: new Map<string, Membership>() };
      member.membership.set(filter.segmentId, { status: row.status, lastQualificationTime: row.lastQualificationTime });
      members.set(profile.profileKey, member);
    }
    return members;
  }
}
