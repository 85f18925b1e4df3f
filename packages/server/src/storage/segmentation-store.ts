// Store port, segmentation part: audiences, segment jobs and membership snapshots, batch segmentation schedules and
// export jobs (migrations 0004–0007). Re-exported by store.ts, which the domain imports.
import type { EpochMs } from './store.js';

// ── Segment definitions (migration 0004) ─────────────────────────────────────────────────────────

export type SegmentLifecycleState = 'draft' | 'published' | 'inactive';

/** Which evaluation modes an audience asks for (only batch is supported; the others are stored as given). */
export interface SegmentEvaluationInfo {
  readonly batch: boolean;
  readonly continuous: boolean;
  readonly synchronous: boolean;
}

/** One audience (SPEC §5.1) as stored. */
export interface SegmentDefinitionRecord {
  readonly id: string;
  /** Unique per sandbox, ignoring case (the store keeps a case-folded key beside it). */
  readonly name: string;
  readonly description: string | null;
  /** The PQL text (`pql/text`), as the client sent it. */
  readonly expression: string;
  /** Always explicit: the sandbox default at creation when the client named none. */
  readonly mergePolicyId: string;
  readonly lifecycleState: SegmentLifecycleState;
  readonly evaluationInfo: SegmentEvaluationInfo;
  /** Audience ids referenced by `inSegment`, in first-use order. */
  readonly dependencies: readonly string[];
  /** Profile paths and `xEvent.<path>` event paths the expression reads. */
  readonly fields: readonly string[];
  /** Changes on every write; the compare-and-set key of {@link SegmentDefinitionRepository.replace}. */
  readonly etag: string;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly createdBy: string;
  readonly updatedBy: string;
}

export type SegmentDefinitionPatch = Omit<SegmentDefinitionRecord, 'id' | 'createdAt' | 'createdBy'>;

/** Which audiences {@link SegmentDefinitionRepository.list} returns, and in which order. */
export interface SegmentDefinitionQuery {
  readonly sortField: 'name' | 'creationTime' | 'updateTime';
  readonly sort: 'asc' | 'desc';
  /** Substring of the name, ignoring case (matched literally: `%` and `_` are ordinary characters). */
  readonly nameContains?: string | undefined;
  readonly lifecycleState?: SegmentLifecycleState | undefined;
  readonly offset: number;
  readonly limit: number;
}

/** Audiences of one sandbox; like documents, an id of another sandbox is an absent one. */
export interface SegmentDefinitionRepository {
  /** @throws StoreConflictError on a duplicate id (any sandbox) or a name already used in the sandbox (ignoring case). */
  create(definition: SegmentDefinitionRecord): Promise<void>;
  get(id: string): Promise<SegmentDefinitionRecord | undefined>;
  /** The audiences among `ids` that exist in the sandbox (absent ids are left out), in no particular order. */
  getMany(ids: readonly string[]): Promise<readonly SegmentDefinitionRecord[]>;
  /** One page of the filtered list (ties broken by id) and how many audiences match the filters. */
  list(query: SegmentDefinitionQuery): Promise<{ readonly items: readonly SegmentDefinitionRecord[]; readonly total: number }>;
  /**
   * Replaces the audience when its stored etag equals `expectedEtag` (compare-and-set): the new record,
   * `'stale'` when the etag differs, undefined when absent. @throws StoreConflictError on a name already used.
   */
  replace(id: string, expectedEtag: string, patch: SegmentDefinitionPatch): Promise<SegmentDefinitionRecord | 'stale' | undefined>;
  delete(id: string): Promise<boolean>;
  /** Ids of the audiences whose `inSegment` references `id`, ordered by id. */
  referencing(id: string): Promise<readonly string[]>;
  /** Ids of the audiences that use the merge policy, ordered by id. */
  usingMergePolicy(mergePolicyId: string): Promise<readonly string[]>;
  /** Deletes every audience of the sandbox (sandbox reset/delete); returns how many. */
  deleteAll(): Promise<number>;
}

// ── end of segment definitions ───────────────────────────────────────────────────────────────────

// ── Segment jobs and membership snapshots (migration 0005) ───────────────────────────────────────

/** SPEC §5.6: `NEW → QUEUED → PROCESSING → SUCCEEDED | FAILED`; a cancel goes through `CANCELLING` to `CANCELLED`. */
export type SegmentJobStatus = 'NEW' | 'QUEUED' | 'PROCESSING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLING' | 'CANCELLED';
export type SegmentJobSource = 'api' | 'scheduler';

/** One audience of a job as it was resolved when the job was created (later edits of the audience do not change it). */
export interface SegmentJobSegment {
  readonly segmentId: string;
  /** The PQL text at creation. */
  readonly expression: string;
  readonly mergePolicyId: string;
  readonly mergePolicyVersion: number;
  /** The audience's inSegment ids at creation. */
  readonly dependencies: readonly string[];
}

/** One segment job (SPEC §5.6) as stored. */
export interface SegmentJobRecord {
  readonly id: string;
  readonly status: SegmentJobStatus;
  readonly source: SegmentJobSource;
  /** Segment ids as the client asked for them (`*` = every published audience). */
  readonly requested: readonly string[];
  /** Every audience to evaluate, dependencies first. */
  readonly segments: readonly SegmentJobSegment[];
  /** The §5.6 metrics once the job ran; null before. */
  readonly metrics: unknown;
  readonly errors: readonly { readonly code: string; readonly msg: string }[];
  /** `scheduleId` and `runId` of the schedule firing, for scheduler jobs; null otherwise. */
  readonly properties: { readonly scheduleId: string; readonly runId: string } | null;
  readonly requestId: string | null;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly startedAt: EpochMs | null;
  readonly finishedAt: EpochMs | null;
}

/** What a status change may also set. */
export type SegmentJobPatch = Partial<Pick<SegmentJobRecord, 'status' | 'requested' | 'segments' | 'metrics' | 'errors' | 'properties' | 'startedAt' | 'finishedAt' | 'updatedAt'>>;

export interface SegmentJobQuery {
  /** Only jobs in one of these statuses; every status when absent. */
  readonly statuses?: readonly SegmentJobStatus[] | undefined;
  /** Only jobs that evaluate this audience. */
  readonly segmentId?: string | undefined;
  readonly source?: SegmentJobSource | undefined;
  /** By creation time (then id). */
  readonly order: 'asc' | 'desc';
  readonly offset: number;
  readonly limit: number;
}

/** The statuses of a job that has not ended (the 10-jobs guardrail counts these). */
export const ACTIVE_SEGMENT_JOB_STATUSES: readonly SegmentJobStatus[] = ['NEW', 'QUEUED', 'PROCESSING'];

/** The segment jobs of one sandbox; an id of another sandbox is an absent one. */
export interface SegmentJobRepository {
  /**
   * Creates the job unless the sandbox already has `limit` jobs of the same source that are `NEW`, `QUEUED` or
   * `PROCESSING` (then false, nothing created): scheduler jobs neither count against API jobs nor are limited
   * themselves (SPEC §5.8). Atomic against concurrent creations in the sandbox; no `limit` = no check.
   * @throws StoreConflictError when the id exists.
   */
  create(job: SegmentJobRecord, limit?: number): Promise<boolean>;
  get(id: string): Promise<SegmentJobRecord | undefined>;
  getMany(ids: readonly string[]): Promise<readonly SegmentJobRecord[]>;
  list(query: SegmentJobQuery): Promise<{ readonly items: readonly SegmentJobRecord[]; readonly total: number }>;
  /** Applies the patch only while the job is in one of `from` (compare-and-set); the new record, or undefined. */
  update(id: string, from: readonly SegmentJobStatus[], patch: SegmentJobPatch): Promise<SegmentJobRecord | undefined>;
  /**
   * Ends a `PROCESSING` job with `patch` (status `SUCCEEDED`, `FAILED` or `CANCELLED`); when it is `SUCCEEDED`,
   * the job's snapshots become visible at `visibleAt` in the same transaction. Undefined (nothing changed) when
   * the job was not `PROCESSING` any more (e.g. it is being cancelled).
   */
  finish(id: string, patch: SegmentJobPatch & { readonly status: SegmentJobStatus; readonly finishedAt: EpochMs }, visibleAt: EpochMs): Promise<SegmentJobRecord | undefined>;
  /** Deletes every job of the sandbox (sandbox reset/delete). */
  deleteAll(): Promise<number>;
}

/** One audience's membership snapshot (SPEC §5.7): metadata here, the rows in a Parquet file of the lake. */
export interface SegmentSnapshotRecord {
  readonly id: string;
  readonly segmentId: string;
  readonly jobId: string;
  /** The job's start. */
  readonly evaluatedAt: EpochMs;
  readonly mergePolicyId: string;
  readonly mergePolicyVersion: number;
  /** SHA-256 (hex) of the audience's expression text and of its transitive inSegment dependencies. */
  readonly definitionHash: string;
  /** Absolute path of the Parquet file. */
  readonly filePath: string;
  readonly counts: { readonly realized: number; readonly existing: number; readonly exited: number };
  /** Members per identity namespace. */
  readonly byNamespace: Readonly<Record<string, number>>;
  /** Null until the job that wrote it succeeded; only visible snapshots are ever read. */
  readonly visibleAt: EpochMs | null;
  readonly createdAt: EpochMs;
}

/** The snapshots of one sandbox. */
export interface SegmentSnapshotRepository {
  /** Records an invisible snapshot. @throws StoreConflictError when the id exists. */
  create(snapshot: SegmentSnapshotRecord): Promise<void>;
  get(id: string): Promise<SegmentSnapshotRecord | undefined>;
  /**
   * The latest visible snapshot of each audience (highest `visibleAt`, then `evaluatedAt`); only the listed
   * audiences when `segmentIds` is given.
   */
  latestVisible(segmentIds?: readonly string[]): Promise<ReadonlyMap<string, SegmentSnapshotRecord>>;
  /** The snapshots of a job (visible or not). */
  listOfJob(jobId: string): Promise<readonly SegmentSnapshotRecord[]>;
  /** Visible snapshots of an audience, newest first. */
  listVisible(segmentId: string): Promise<readonly SegmentSnapshotRecord[]>;
  /**
   * Retention candidates: visible snapshots that are not among the `keepLatest` newest of their audience and
   * became visible before `before`; plus invisible ones created before `before` (left by jobs that never ended).
   */
  listExpired(keepLatest: number, before: EpochMs): Promise<readonly SegmentSnapshotRecord[]>;
  delete(id: string): Promise<boolean>;
  /** Deletes every snapshot record of the sandbox (sandbox reset/delete). */
  deleteAll(): Promise<number>;
}

// ── end of segment jobs and snapshots ────────────────────────────────────────────────────────────

// ── Batch segmentation schedules (migration 0006) ────────────────────────────────────────────────

export type SegmentScheduleState = 'active' | 'inactive';

/** The batch segmentation schedule of a sandbox (SPEC §5.8); at most one per sandbox. */
export interface SegmentScheduleRecord {
  readonly id: string;
  readonly sandboxId: string;
  readonly name: string;
  /** Always `batch_segmentation` (the only type SPEC §5.8 supports). */
  readonly type: 'batch_segmentation';
  /** Audience ids, or `['*']` for every published audience. */
  readonly segments: readonly string[];
  /** Quartz cron text (UTC), validated by the domain. */
  readonly cron: string;
  readonly state: SegmentScheduleState;
  /**
   * Occurrences at or before this time are handled: fired, or passed before the schedule was created,
   * activated or given a new cron. The scheduler fires only occurrences after it.
   */
  readonly firedThrough: EpochMs;
  /** The last firing: its occurrence time and run id (null before the first). */
  readonly lastFiredAt: EpochMs | null;
  readonly lastRunId: string | null;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly createdBy: string;
  readonly updatedBy: string;
}

export type SegmentSchedulePatch = Partial<Pick<SegmentScheduleRecord, 'name' | 'segments' | 'cron' | 'state' | 'firedThrough'>>
  & Pick<SegmentScheduleRecord, 'updatedAt' | 'updatedBy'>;

/** One firing the scheduler records before it creates the segment job. */
export interface SegmentScheduleFiring {
  /** The occurrence fired (becomes `firedThrough` and `lastFiredAt`). */
  readonly occurrence: EpochMs;
  readonly runId: string;
}

/** The schedule of one sandbox; like documents, an id of another sandbox is an absent one. */
export interface SegmentScheduleRepository {
  /** @throws StoreConflictError when the sandbox already has a schedule (or the id exists). */
  create(schedule: Omit<SegmentScheduleRecord, 'sandboxId'>): Promise<void>;
  get(id: string): Promise<SegmentScheduleRecord | undefined>;
  /** The sandbox's schedule, if it has one. */
  find(): Promise<SegmentScheduleRecord | undefined>;
  /** Applies the patch; the new record, or undefined when absent. */
  update(id: string, patch: SegmentSchedulePatch): Promise<SegmentScheduleRecord | undefined>;
  /**
   * Records a firing when `firedThrough` still equals `expectedFiredThrough` and the schedule is active
   * (compare-and-set): of two processes firing the same occurrence, exactly one gets true.
   */
  recordFiring(id: string, expectedFiredThrough: EpochMs, firing: SegmentScheduleFiring): Promise<boolean>;
  /** Puts a firing back (when its job could not be created), if nothing changed since; true when undone. */
  undoFiring(id: string, firing: SegmentScheduleFiring, previous: Pick<SegmentScheduleRecord, 'firedThrough' | 'lastFiredAt' | 'lastRunId'>): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  /** Deletes the sandbox's schedule (sandbox reset/delete). */
  deleteAll(): Promise<number>;
}

/** Across sandboxes, for the scheduler. */
export interface SegmentScheduleDirectory {
  /** Active schedules of live (not deleted) sandboxes, ordered by sandbox id. */
  listActive(): Promise<readonly SegmentScheduleRecord[]>;
}

// ── end of batch segmentation schedules ──────────────────────────────────────────────────────────

// ── Export jobs (migration 0007) ──────────────────────────────────────────────────────────────────

export type ExportJobStatus = 'NEW' | 'PROCESSING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLING' | 'CANCELLED';

/** One export job (SPEC §5.9) as stored: what the store filters on in columns, the request and results as JSON. */
export interface ExportJobRecord {
  /** Assigned by the database; grows with every insert. */
  readonly id: number;
  readonly status: ExportJobStatus;
  /** The validated request (fields, merge policy, filter, destination, schema, evaluation info). */
  readonly request: unknown;
  /** Batches written into the destination dataset. */
  readonly batchIds: readonly string[];
  readonly metrics: unknown;
  readonly errors: readonly unknown[];
  /** The segment job run first (`evaluationInfo.segmentation`), if any. */
  readonly segmentJobId: string | null;
  /** `computeGatewayJobId.exportJob`. */
  readonly computeJobId: string;
  readonly requestId: string | null;
  readonly createdBy: string;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

export type NewExportJob = Omit<ExportJobRecord, 'id'>;
export type ExportJobPatch = Partial<Pick<ExportJobRecord, 'status' | 'batchIds' | 'metrics' | 'errors' | 'segmentJobId'>> & Pick<ExportJobRecord, 'updatedAt'>;

export interface ExportJobQuery {
  readonly statuses?: readonly ExportJobStatus[] | undefined;
  /** Only jobs before this position in the order (creation time desc, then id desc). */
  readonly before?: { readonly createdAt: EpochMs; readonly id: number } | undefined;
  readonly limit: number;
}

/** The export jobs of one sandbox; an id of another sandbox is an absent one. */
export interface ExportJobRepository {
  create(job: NewExportJob): Promise<ExportJobRecord>;
  get(id: number): Promise<ExportJobRecord | undefined>;
  /** Newest first (creation time, then id, descending). */
  list(query: ExportJobQuery): Promise<readonly ExportJobRecord[]>;
  /** Applies the patch only while the status is one of `from`; the new record, or undefined. */
  update(id: number, from: readonly ExportJobStatus[], patch: ExportJobPatch): Promise<ExportJobRecord | undefined>;
  /** Jobs waiting for a segment job (`evaluationInfo.segmentation`). */
  listWaitingFor(segmentJobId: string): Promise<readonly ExportJobRecord[]>;
  deleteAll(): Promise<number>;
}

// ── end of export jobs ───────────────────────────────────────────────────────────────────────────
