// Segment jobs (SPEC §5.6): create (API and scheduler), read, list, cancel; the evaluation itself runs as durable work.
import { AppError } from '../../errors.js';
import type { JobRepository, SandboxScopedStore, SegmentJobRecord, SegmentJobSegment, SegmentJobSource, SegmentJobStatus } from '../../storage/store.js';
import type { Clock, IdGenerator } from '../runtime.js';
import { mergeRequested, planJob } from './job-plan.js';
import type { AudienceSource, JobAudience, ProfileScopes } from './segment-job-ports.js';
import { cancelDecision, isFinal } from './segment-job-state.js';

/** The durable job kind that evaluates one segment job. */
export const SEGMENT_JOB = 'segment-job';

/** SPEC §5.6: more than this many NEW/QUEUED/PROCESSING API jobs in a sandbox → 429 (scheduler jobs are exempt and not counted). */
export const MAX_ACTIVE_SEGMENT_JOBS = 10;

export const segmentJobNotFound = (id: string) => new AppError('NOT_FOUND', `Segment job ${id} not found`);

/** Called once a job reached a final status (AFTER_SEGMENT_EVAL exports subscribe). */
export type SegmentJobListener = (job: SegmentJobRecord, scope: SandboxScopedStore) => void | Promise<void>;

export interface SegmentJobListQuery {
  readonly statuses?: readonly SegmentJobStatus[] | undefined;
  readonly segmentId?: string | undefined;
  readonly order: 'asc' | 'desc';
  /** 0-based page number (SPEC §1.5 `start`). */
  readonly page: number;
  readonly limit: number;
}

export interface SegmentJobServiceDeps {
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly jobs: JobRepository;
  readonly audiences: AudienceSource;
  readonly scopes: ProfileScopes;
  /** Wakes this process's job worker (jobs enqueued here start at once). */
  readonly runDueJobs: () => Promise<unknown>;
}

/** The queue of a sandbox's segment jobs: they run one after the other (SPEC §5.6). */
export const segmentJobQueue = (sandboxId: string) => `segment-jobs:${sandboxId}`;

export class SegmentJobService {
  private readonly listeners: SegmentJobListener[] = [];
  private readonly pending = new Map<string, SandboxScopedStore>();

  constructor(private readonly deps: SegmentJobServiceDeps) {}

  /** `POST /segment/jobs`: `*` = every published audience; listed ids any lifecycle; dependencies added. */
  async create(scope: SandboxScopedStore, requested: readonly string[], options: { requestId?: string | undefined } = {}): Promise<SegmentJobRecord> {
    if (requested.length === 0) throw new AppError('VALIDATION', 'The request lists no audience: send [{"segmentId": "<id>"}] or [{"segmentId": "*"}]');
    const segments = await this.resolve(scope, requested, 'strict');
    const job = this.newJob('api', requested, segments, null, options.requestId);
    if (!(await scope.segmentJobs.create(job, MAX_ACTIVE_SEGMENT_JOBS))) {
      throw new AppError('RATE_LIMITED', `Too many segment jobs: this sandbox already has ${MAX_ACTIVE_SEGMENT_JOBS} jobs NEW, QUEUED or PROCESSING; wait until one ends, or cancel one`);
    }
    return this.enqueue(scope, job);
  }

  /**
   * A schedule firing (SPEC §5.8): a `scheduler` job, exempt from the 10-jobs limit. If a scheduler job of the
   * sandbox is still waiting (NEW/QUEUED), the firing merges into it (its audiences become the union, its
   * properties the latest firing's) instead of queueing a second one; never dropped.
   */
  async createScheduledJob(scope: SandboxScopedStore, requested: readonly string[], properties: { scheduleId: string; runId: string }): Promise<SegmentJobRecord> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const { items: [waiting] } = await scope.segmentJobs.list({ statuses: ['NEW', 'QUEUED'], source: 'scheduler', order: 'asc', offset: 0, limit: 1 });
      if (waiting === undefined) break;
      const merged = mergeRequested(waiting.requested, requested);
      const segments = await this.resolve(scope, merged, 'lenient');
      const updated = await scope.segmentJobs.update(waiting.id, ['NEW', 'QUEUED'], { requested: merged, segments, properties, updatedAt: this.deps.clock.now() });
      if (updated !== undefined) return updated;
      // It started meanwhile: look again, then queue a new one.
    }
    const job = this.newJob('scheduler', requested, await this.resolve(scope, requested, 'lenient'), properties, undefined);
    await scope.segmentJobs.create(job);
    return this.enqueue(scope, job);
  }

  async get(scope: SandboxScopedStore, id: string): Promise<SegmentJobRecord> {
    const job = await scope.segmentJobs.get(id);
    if (job === undefined) throw segmentJobNotFound(id);
    return job;
  }

  /** `POST /segment/jobs/bulk-get`: the jobs found (missing ids are left out). */
  bulkGet(scope: SandboxScopedStore, ids: readonly string[]): Promise<readonly SegmentJobRecord[]> {
    return scope.segmentJobs.getMany(ids);
  }

  list(scope: SandboxScopedStore, query: SegmentJobListQuery) {
    return scope.segmentJobs.list({ statuses: query.statuses, segmentId: query.segmentId, order: query.order, offset: query.page * query.limit, limit: query.limit });
  }

  /** `DELETE /segment/jobs/{id}`: a job not started ends CANCELLED at once; a PROCESSING one goes CANCELLING. */
  async cancel(scope: SandboxScopedStore, id: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const job = await this.get(scope, id);
      const decision = cancelDecision(job.status);
      if (decision.kind === 'already-cancelled') return;
      if (decision.kind === 'ended') throw new AppError('CONFLICT', `Segment job ${id} has already ended (${job.status}); only a job that has not ended can be cancelled`);
      const now = this.deps.clock.now();
      const updated = await scope.segmentJobs.update(id, [job.status], {
        status: decision.to, updatedAt: now, ...(decision.to === 'CANCELLED' ? { finishedAt: now } : {}),
      });
      if (updated !== undefined) {
        if (updated.status === 'CANCELLED') await this.notifyFinished(updated, scope);
        return;
      }
    }
    throw new AppError('CONFLICT', `Segment job ${id} changed while it was being cancelled; try again`);
  }

  /** Registers a listener told about every job that reached a final status. */
  onJobFinished(listener: SegmentJobListener): void {
    this.listeners.push(listener);
  }

  /** Tells the listeners (their failures never change the job). */
  async notifyFinished(job: SegmentJobRecord, scope: SandboxScopedStore): Promise<void> {
    this.pending.delete(job.id);
    for (const listener of this.listeners) {
      try {
        await listener(job, scope);
      } catch {
        // a subscriber's failure is its own business
      }
    }
  }

  /** Resolves when every job created through this instance has reached a final status (tests, demo seeding). */
  async whenIdle(): Promise<void> {
    for (;;) {
      await this.deps.runDueJobs();
      for (const [id, scope] of [...this.pending]) {
        const job = await scope.segmentJobs.get(id);
        if (job === undefined || isFinal(job.status)) this.pending.delete(id);
      }
      if (this.pending.size === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Enqueues the evaluation of NEW/QUEUED jobs that have no unfinished durable job — a process stopped between
   * creating the job and enqueueing it. Idempotent. Returns how many were enqueued.
   */
  async resumeOrphans(scope: SandboxScopedStore): Promise<number> {
    let resumed = 0;
    const { items } = await scope.segmentJobs.list({ statuses: ['NEW', 'QUEUED'], order: 'asc', offset: 0, limit: 1000 });
    for (const job of items) {
      const durable = await this.deps.jobs.findLatest(SEGMENT_JOB, job.id);
      if (durable !== undefined && (durable.state === 'queued' || durable.state === 'running')) continue;
      await this.enqueue(scope, job);
      resumed += 1;
    }
    return resumed;
  }

  private newJob(source: SegmentJobSource, requested: readonly string[], segments: readonly SegmentJobSegment[], properties: SegmentJobRecord['properties'], requestId: string | undefined): SegmentJobRecord {
    const now = this.deps.clock.now();
    return {
      id: this.deps.ids.uuid(), status: 'NEW', source, requested: [...requested], segments, metrics: null, errors: [], properties,
      requestId: requestId ?? null, createdAt: now, updatedAt: now, startedAt: null, finishedAt: null,
    };
  }

  private async enqueue(scope: SandboxScopedStore, job: SegmentJobRecord): Promise<SegmentJobRecord> {
    await this.deps.jobs.enqueue({ kind: SEGMENT_JOB, subjectId: job.id, sandboxId: scope.sandboxId, queueKey: segmentJobQueue(scope.sandboxId), oncePerSubject: true }, this.deps.clock.now());
    const queued = (await scope.segmentJobs.update(job.id, ['NEW'], { status: 'QUEUED', updatedAt: this.deps.clock.now() })) ?? (await this.get(scope, job.id));
    this.pending.set(job.id, scope);
    void this.deps.runDueJobs().catch(() => undefined);
    return queued;
  }

  /**
   * The audiences of a job, dependencies first, with their expression and merge policy (version) as of now.
   * `strict`: an unknown id is a 400; `lenient` (scheduler): unknown ids are left out.
   */
  private async resolve(scope: SandboxScopedStore, requested: readonly string[], mode: 'strict' | 'lenient'): Promise<SegmentJobSegment[]> {
    const audiences = await this.deps.audiences.list(scope);
    let plan = planJob(requested, audiences);
    if (!plan.ok && mode === 'lenient') plan = planJob(requested.filter((id) => !plan.ok && !plan.unknown.includes(id)), audiences);
    if (!plan.ok) {
      throw new AppError('VALIDATION', `Segment definition${plan.unknown.length > 1 ? 's' : ''} ${plan.unknown.join(', ')} not found in this sandbox: list the ids of existing audiences, or "*" for every published one`);
    }
    const versions = new Map<string, number>();
    const segments: SegmentJobSegment[] = [];
    for (const audience of plan.audiences) segments.push(await this.segmentOf(scope, audience, versions));
    return segments;
  }

  private async segmentOf(scope: SandboxScopedStore, audience: JobAudience, versions: Map<string, number>): Promise<SegmentJobSegment> {
    let version = versions.get(audience.mergePolicyId);
    if (version === undefined) {
      // A policy that vanished (it cannot while an audience uses it) records version 0; the job then fails that audience.
      version = await this.deps.scopes.policyVersion(scope, audience.mergePolicyId).catch(() => 0);
      versions.set(audience.mergePolicyId, version);
    }
    return { segmentId: audience.id, expression: audience.expression, mergePolicyId: audience.mergePolicyId, mergePolicyVersion: version, dependencies: [...audience.dependencies] };
  }
}
