// Runs one segment job (durable `segment-job` work): compile every audience, evaluate per merge policy, publish snapshots atomically.
import type { AudienceOutcome, SegmentEngine, LakeStorage, SnapshotFile } from '../../engine/engine.js';
import type { SandboxScopedStore, SegmentJobRecord, SegmentJobSegment } from '../../storage/store.js';
import type { Clock, IdGenerator } from '../runtime.js';
import { definitionHash } from './job-plan.js';
import { jobError, jobMetrics, type SucceededAudience } from './job-metrics.js';
import type { AudienceCompiler, AudienceSource, ProfileScopes, ReferencedAudience } from './segment-job-ports.js';
import { outcomeStatus } from './segment-job-state.js';
import { audiencesBeingExported } from './snapshot-protection.js';

export interface SegmentJobRunnerDeps {
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly engine: SegmentEngine;
  readonly lake: LakeStorage;
  readonly audiences: AudienceSource;
  readonly compiler: AudienceCompiler;
  readonly scopes: ProfileScopes;
  /** Told when the job reached a final status. */
  readonly finished: (job: SegmentJobRecord, scope: SandboxScopedStore) => Promise<void>;
  /** How often a running job looks whether it is being cancelled. */
  readonly cancelPollMs?: number;
  /** Snapshot retention: keep this many per audience, delete older ones after `retentionMs`. */
  readonly retention: { readonly keepLatest: number; readonly retentionMs: number };
}

/** Raised inside the runner when the job was cancelled while it ran. */
class JobCancelled extends Error {}

/** A failure per audience id (reason without the id), kept in job order. */
type Failures = Map<string, string>;

export class SegmentJobRunner {
  constructor(private readonly deps: SegmentJobRunnerDeps) {}

  /**
   * Runs the job `jobId`. A job claimed again after its worker was cut off (`PROCESSING` already) starts over:
   * the snapshots the cut-off run staged are discarded first, so nothing half-written ever becomes visible.
   * Throws only when `signal` aborts (lease lost, shutdown): the durable job is then released or taken over.
   */
  async run(scope: SandboxScopedStore, jobId: string, signal: AbortSignal): Promise<void> {
    const job = await scope.segmentJobs.get(jobId);
    if (job === undefined) return;
    if (job.status === 'CANCELLING') return this.endCancelled(scope, job);
    if (!['NEW', 'QUEUED', 'PROCESSING'].includes(job.status)) return;
    await this.discardStaged(scope, jobId);
    const startedAt = this.deps.clock.now();
    const started = await scope.segmentJobs.update(jobId, [job.status], { status: 'PROCESSING', startedAt, updatedAt: startedAt, errors: [], metrics: null });
    if (started === undefined) return this.run(scope, jobId, signal);
    const cancel = new AbortController();
    const poll = setInterval(() => {
      void scope.segmentJobs.get(jobId).then((current) => { if (current?.status !== 'PROCESSING') cancel.abort(new JobCancelled('cancelled')); }, () => undefined);
    }, this.deps.cancelPollMs ?? 500);
    poll.unref();
    const combined = AbortSignal.any([signal, cancel.signal]);
    try {
      await this.evaluate(scope, started, startedAt, combined);
    } catch (error) {
      if (signal.aborted) throw error;
      if (!cancel.signal.aborted) await this.failWhole(scope, started, startedAt, error);
    } finally {
      clearInterval(poll);
      await this.deps.lake.discardSnapshotStaging(jobId);
    }
    const current = await scope.segmentJobs.get(jobId);
    if (current?.status === 'CANCELLING') await this.endCancelled(scope, current);
  }

  private async evaluate(scope: SandboxScopedStore, job: SegmentJobRecord, startedAt: number, signal: AbortSignal): Promise<void> {
    const now = new Date(startedAt);
    const failures: Failures = new Map();
    const compiled = await this.compileAll(scope, job.segments, now, failures);
    const staging = await this.deps.lake.prepareSnapshotStaging(job.id);
    const previous = await scope.segmentSnapshots.latestVisible(job.segments.map((segment) => segment.segmentId));
    const profilesByPolicy = new Map<string, number>();
    const succeeded: SucceededAudience[] = [];
    const segmentationStart = this.deps.clock.now();
    const byId = new Map(job.segments.map((segment) => [segment.segmentId, segment]));
    for (const [policyId, group] of groupByPolicy(job.segments)) {
      signal.throwIfAborted();
      const queries = group.filter((segment) => compiled.has(segment.segmentId)).map((segment) => compiled.get(segment.segmentId) as NonNullable<ReturnType<typeof compiled.get>>);
      if (queries.length === 0) continue;
      let outcomes: readonly AudienceOutcome[];
      try {
        const { profileScope } = await this.deps.scopes.profileScope(scope, policyId);
        const result = await this.deps.engine.evaluateSegments({
          scope: profileScope, audiences: queries, evaluatedAt: startedAt, outputDir: staging, signal,
          dependencies: new Map(group.map((segment) => [segment.segmentId, segment.dependencies])),
          previous: new Map([...previous].filter(([id]) => byId.has(id)).map(([id, snapshot]): [string, SnapshotFile] => [id, { path: snapshot.filePath }])),
        });
        profilesByPolicy.set(policyId, result.totalProfiles);
        outcomes = result.audiences;
      } catch (error) {
        if (signal.aborted) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        outcomes = queries.map((query) => ({ id: query.id, ok: false, error: `evaluation failed: ${reason}` }));
      }
      for (const outcome of outcomes) {
        if (!outcome.ok) {
          failures.set(outcome.id, outcome.error);
          continue;
        }
        const segment = byId.get(outcome.id);
        if (segment === undefined) continue;
        const filePath = await this.deps.lake.publishSnapshot(outcome.snapshot.path, scope.sandboxId, outcome.id, job.id);
        await scope.segmentSnapshots.create({
          id: this.deps.ids.uuid(), segmentId: outcome.id, jobId: job.id, evaluatedAt: startedAt, mergePolicyId: segment.mergePolicyId,
          mergePolicyVersion: segment.mergePolicyVersion, definitionHash: definitionHash(outcome.id, byId), filePath,
          counts: outcome.counts, byNamespace: outcome.byNamespace, visibleAt: null, createdAt: this.deps.clock.now(),
        });
        succeeded.push({ id: outcome.id, counts: outcome.counts, byNamespace: outcome.byNamespace });
      }
    }
    const segmentationEnd = this.deps.clock.now();
    signal.throwIfAborted();
    const finishedAt = this.deps.clock.now();
    const errors = job.segments.filter((segment) => failures.has(segment.segmentId)).map((segment) => jobError(segment.segmentId, failures.get(segment.segmentId) ?? 'failed'));
    const status = outcomeStatus(succeeded.length, errors.length);
    const metrics = jobMetrics({ startedAt, finishedAt, segmentation: { start: segmentationStart, end: segmentationEnd }, profilesByMergePolicy: profilesByPolicy, succeeded });
    const finished = await scope.segmentJobs.finish(job.id, { status, metrics, errors, finishedAt, updatedAt: finishedAt }, finishedAt);
    if (finished === undefined) return; // cancelled meanwhile: run() ends it CANCELLED
    await this.deps.finished(finished, scope);
    if (status === 'SUCCEEDED') await this.applyRetention(scope, finishedAt);
  }

  /**
   * Checks and compiles every audience against the current catalogue. An audience that does not compile fails,
   * and so does every audience that depends on it (transitively), naming it.
   */
  private async compileAll(scope: SandboxScopedStore, segments: readonly SegmentJobSegment[], now: Date, failures: Failures) {
    const catalogue = await this.deps.audiences.catalogue(scope);
    const inJob = new Map(segments.map((segment) => [segment.segmentId, segment]));
    const current = new Map((await this.deps.audiences.list(scope)).map((audience) => [audience.id, audience]));
    const lookup = (id: string): ReferencedAudience | undefined => {
      const known = inJob.get(id) ?? current.get(id);
      return known === undefined ? undefined : { id, mergePolicyId: known.mergePolicyId, dependencies: known.dependencies };
    };
    const compiled = new Map<string, { id: string; sql: string; parameters: readonly (string | number | boolean | bigint)[]; fields: readonly string[] }>();
    for (const segment of segments) {
      const failedDependency = segment.dependencies.find((id) => failures.has(id));
      if (failedDependency !== undefined) {
        failures.set(segment.segmentId, `depends on audience ${failedDependency}, which failed`);
        continue;
      }
      const result = this.deps.compiler.compile(segment.expression, { catalogue, segment: lookup, selfId: segment.segmentId, mergePolicyId: segment.mergePolicyId, now });
      if (result.ok) compiled.set(segment.segmentId, { id: segment.segmentId, sql: result.sql, parameters: result.parameters, fields: result.fields });
      else failures.set(segment.segmentId, result.reason);
    }
    return compiled;
  }

  /** Something outside any one audience broke (store, lake): the job ends FAILED, every audience named, nothing visible. */
  private async failWhole(scope: SandboxScopedStore, job: SegmentJobRecord, startedAt: number, error: unknown): Promise<void> {
    await this.discardStaged(scope, job.id);
    const reason = `the job stopped: ${error instanceof Error ? error.message : String(error)}`;
    const finishedAt = this.deps.clock.now();
    const metrics = jobMetrics({ startedAt, finishedAt, segmentation: { start: startedAt, end: finishedAt }, profilesByMergePolicy: new Map(), succeeded: [] });
    const errors = job.segments.map((segment) => jobError(segment.segmentId, reason));
    const failed = await scope.segmentJobs.finish(job.id, { status: 'FAILED', metrics, errors, finishedAt, updatedAt: finishedAt }, finishedAt);
    if (failed !== undefined) await this.deps.finished(failed, scope);
  }

  private async endCancelled(scope: SandboxScopedStore, job: SegmentJobRecord): Promise<void> {
    await this.discardStaged(scope, job.id);
    const now = this.deps.clock.now();
    const cancelled = await scope.segmentJobs.update(job.id, ['CANCELLING'], { status: 'CANCELLED', finishedAt: now, updatedAt: now });
    if (cancelled !== undefined) await this.deps.finished(cancelled, scope);
  }

  /** Removes the snapshots a job wrote that never became visible (a cut-off or cancelled run). */
  private async discardStaged(scope: SandboxScopedStore, jobId: string): Promise<void> {
    for (const snapshot of await scope.segmentSnapshots.listOfJob(jobId)) {
      if (snapshot.visibleAt !== null) continue;
      await this.deps.lake.removeSnapshot(snapshot.filePath);
      await scope.segmentSnapshots.delete(snapshot.id);
    }
  }

  /**
   * SPEC §5.7 retention: the latest `keepLatest` snapshots per audience stay; older ones go after the retention period,
   * except visible snapshots of audiences an export job that has not ended may read (snapshot-protection.ts).
   */
  private async applyRetention(scope: SandboxScopedStore, now: number): Promise<void> {
    const { keepLatest, retentionMs } = this.deps.retention;
    const expired = await scope.segmentSnapshots.listExpired(keepLatest, now - retentionMs);
    const exported = expired.length === 0 ? new Set<string>() : await audiencesBeingExported(scope);
    for (const snapshot of expired) {
      if (snapshot.visibleAt !== null && exported.has(snapshot.segmentId)) continue;
      await this.deps.lake.removeSnapshot(snapshot.filePath);
      await scope.segmentSnapshots.delete(snapshot.id);
    }
  }
}

/** The job's audiences by merge policy, in job order within each group (groups in order of first appearance). */
function groupByPolicy(segments: readonly SegmentJobSegment[]): Map<string, SegmentJobSegment[]> {
  const groups = new Map<string, SegmentJobSegment[]>();
  for (const segment of segments) groups.set(segment.mergePolicyId, [...(groups.get(segment.mergePolicyId) ?? []), segment]);
  return groups;
}
