// The control-plane store port: everything Activator keeps about its configuration, behind one interface.
//
// Two implementations (SQLite, PostgreSQL) share one Kysely code path; the domain never sees either.
// Sandbox-scoped data is reachable only through `store.sandbox(id)`, so a query cannot forget its sandbox.
import type {
  ExportJobRepository, SegmentDefinitionRepository, SegmentJobRepository, SegmentScheduleDirectory, SegmentScheduleRepository, SegmentSnapshotRepository,
} from './segmentation-store.js';

/** Time values are epoch milliseconds (UTC) throughout the store. */
export type EpochMs = number;

export type SandboxState = 'active' | 'resetting' | 'deleted';
export type SandboxType = 'production' | 'development';

export interface SandboxRecord {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly state: SandboxState;
  readonly type: SandboxType;
  readonly isDefault: boolean;
  /** Incremented on every change. */
  readonly etag: number;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly createdBy: string;
  readonly updatedBy: string;
}

export interface UserRecord {
  readonly id: string;
  /** Stored lower-cased; unique. */
  readonly email: string;
  readonly name: string;
  readonly passwordHash: string;
  readonly admin: boolean;
  readonly roleIds: readonly string[];
  readonly disabled: boolean;
  readonly createdAt: EpochMs;
  readonly lastLoginAt: EpochMs | null;
}

export interface CredentialRecord {
  readonly id: string;
  readonly name: string;
  /** 32 lower-case hex characters; sent by clients as `x-api-key`. Unique. */
  readonly clientId: string;
  /** argon2id hash of the client secret. */
  readonly secretHash: string;
  readonly admin: boolean;
  readonly roleIds: readonly string[];
  readonly disabled: boolean;
  readonly createdAt: EpochMs;
  readonly lastUsedAt: EpochMs | null;
}

export interface RoleRecord {
  readonly id: string;
  /** Unique. */
  readonly name: string;
  readonly description: string;
  /** AEP permission names, e.g. `View Destinations`. */
  readonly permissions: readonly string[];
  /** Sandbox names, or `*` for every sandbox. */
  readonly sandboxes: readonly string[];
  readonly builtIn: boolean;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

export interface AccessTokenRecord {
  /** SHA-256 (hex) of the opaque token; the token itself is never stored. */
  readonly tokenHash: string;
  readonly credentialId: string;
  readonly createdAt: EpochMs;
  readonly expiresAt: EpochMs;
}

export interface SessionRecord {
  /** SHA-256 (hex) of the cookie value. */
  readonly idHash: string;
  readonly userId: string;
  readonly csrfToken: string;
  readonly createdAt: EpochMs;
  readonly expiresAt: EpochMs;
}

export type AuditActorType = 'user' | 'credential' | 'system';
export type AuditOutcome = 'success' | 'rejected' | 'failed';

export interface AuditEntryRecord {
  readonly id: string;
  readonly time: EpochMs;
  readonly actor: { readonly type: AuditActorType; readonly id: string | null; readonly name: string };
  readonly sandbox: string | null;
  readonly action: string;
  readonly objectType: string | null;
  readonly objectId: string | null;
  readonly outcome: AuditOutcome;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
  readonly ip: string | null;
  /** Request summary with every secret already replaced by `********`. */
  readonly details: unknown;
}

/** A fixed-size page of a list ordered by a stable key; `next` is an opaque cursor or null. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string | null;
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export interface AuditQuery extends PageRequest {
  readonly from?: EpochMs | undefined;
  readonly to?: EpochMs | undefined;
  /** Matches the actor's id or name. */
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  readonly sandbox?: string | undefined;
  readonly objectId?: string | undefined;
}

/** Partial updates: only the fields present change. */
export type SandboxPatch = Partial<Pick<SandboxRecord, 'title' | 'state' | 'updatedAt' | 'updatedBy'>>;
export type UserPatch = Partial<Pick<UserRecord, 'name' | 'passwordHash' | 'admin' | 'roleIds' | 'disabled' | 'lastLoginAt'>>;
export type CredentialPatch = Partial<Pick<CredentialRecord, 'name' | 'secretHash' | 'admin' | 'roleIds' | 'disabled' | 'lastUsedAt'>>;
export type RolePatch = Partial<Pick<RoleRecord, 'name' | 'description' | 'permissions' | 'sandboxes' | 'builtIn' | 'updatedAt'>>;

/**
 * Sandboxes. Names are unique among sandboxes that are not `deleted`; a deleted sandbox keeps its row
 * (and id) so audit entries still resolve.
 */
export interface SandboxRepository {
  /** @throws StoreConflictError when an active sandbox already has the name. */
  create(sandbox: SandboxRecord): Promise<void>;
  getById(id: string): Promise<SandboxRecord | undefined>;
  /** The sandbox with this name that is not deleted. */
  getByName(name: string): Promise<SandboxRecord | undefined>;
  /** Every sandbox that is not deleted, ordered by name. */
  listLive(): Promise<readonly SandboxRecord[]>;
  /** Applies the patch and increments the etag; returns the new record, or undefined when absent. */
  update(id: string, patch: SandboxPatch): Promise<SandboxRecord | undefined>;
}

export interface UserRepository {
  /** @throws StoreConflictError on a duplicate e-mail. */
  create(user: UserRecord): Promise<void>;
  getById(id: string): Promise<UserRecord | undefined>;
  getByEmail(email: string): Promise<UserRecord | undefined>;
  /** Ordered by creation time, then id. */
  list(page: PageRequest): Promise<Page<UserRecord>>;
  count(): Promise<number>;
  update(id: string, patch: UserPatch): Promise<UserRecord | undefined>;
  delete(id: string): Promise<boolean>;
}

export interface CredentialRepository {
  /** @throws StoreConflictError on a duplicate client id. */
  create(credential: CredentialRecord): Promise<void>;
  getById(id: string): Promise<CredentialRecord | undefined>;
  getByClientId(clientId: string): Promise<CredentialRecord | undefined>;
  list(page: PageRequest): Promise<Page<CredentialRecord>>;
  update(id: string, patch: CredentialPatch): Promise<CredentialRecord | undefined>;
  /** Deletes the credential and every token issued to it. */
  delete(id: string): Promise<boolean>;
}

export interface RoleRepository {
  /** @throws StoreConflictError on a duplicate name. */
  create(role: RoleRecord): Promise<void>;
  getById(id: string): Promise<RoleRecord | undefined>;
  getByName(name: string): Promise<RoleRecord | undefined>;
  getMany(ids: readonly string[]): Promise<readonly RoleRecord[]>;
  /** Ordered by name. */
  listAll(): Promise<readonly RoleRecord[]>;
  /** @throws StoreConflictError on a duplicate name. */
  update(id: string, patch: RolePatch): Promise<RoleRecord | undefined>;
  delete(id: string): Promise<boolean>;
  /** Whether any user or credential holds the role. */
  isInUse(id: string): Promise<boolean>;
}

export interface TokenRepository {
  create(token: AccessTokenRecord): Promise<void>;
  getByHash(tokenHash: string): Promise<AccessTokenRecord | undefined>;
  /** Revokes every token of a credential; returns how many. */
  deleteForCredential(credentialId: string): Promise<number>;
  deleteExpired(now: EpochMs): Promise<number>;
}

export interface SessionRepository {
  create(session: SessionRecord): Promise<void>;
  getByHash(idHash: string): Promise<SessionRecord | undefined>;
  delete(idHash: string): Promise<boolean>;
  deleteForUser(userId: string): Promise<number>;
  deleteExpired(now: EpochMs): Promise<number>;
}

export interface AuditRepository {
  /** Entries are immutable: there is no update. */
  append(entry: AuditEntryRecord): Promise<void>;
  /** Newest first. */
  list(query: AuditQuery): Promise<Page<AuditEntryRecord>>;
  deleteOlderThan(time: EpochMs): Promise<number>;
}

/** One fixed window of an attempt counter: how many attempts since `windowStart`. */
export interface AttemptWindow {
  readonly count: number;
  readonly windowStart: EpochMs;
}

/**
 * Fixed-window attempt counters (login and token limits, SPEC §14). Every change is one atomic statement
 * in the database, so a limit holds across concurrent requests and across processes sharing PostgreSQL.
 * A window has expired once `windowStart <= now - windowMs`.
 */
export interface AttemptCounterRepository {
  /** Adds one attempt to `bucket` (starting a new window at `now` when none is current) and returns the window. */
  increment(bucket: string, now: EpochMs, windowMs: number): Promise<AttemptWindow>;
  /** The current window of `bucket`, or undefined when it has none. */
  get(bucket: string, now: EpochMs, windowMs: number): Promise<AttemptWindow | undefined>;
  /** Takes one attempt back from the window that started at `windowStart` (a no-op once another window began). */
  decrement(bucket: string, windowStart: EpochMs): Promise<void>;
  /** Removes every window that started at or before `before`; returns how many. */
  deleteStartedBefore(before: EpochMs): Promise<number>;
}

/**
 * A sandbox-scoped document: the generic shape of configuration objects (connections, flows, …)
 * that belong to exactly one sandbox.
 */
export interface ScopedDocumentRecord {
  readonly id: string;
  /** The kind of object, e.g. `flows`. */
  readonly collection: string;
  readonly name: string;
  readonly etag: string;
  readonly data: unknown;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly createdBy: string;
  readonly updatedBy: string;
}

export type ScopedDocumentPatch = Pick<ScopedDocumentRecord, 'name' | 'etag' | 'data' | 'updatedAt' | 'updatedBy'>;

/**
 * Documents of one sandbox. An id that exists in another sandbox is indistinguishable from an
 * absent one: every method is confined to the sandbox it was obtained for.
 */
export interface ScopedDocumentRepository {
  /** @throws StoreConflictError when the id already exists (in any sandbox). */
  create(document: ScopedDocumentRecord): Promise<void>;
  /**
   * Creates the document only while the sandbox holds fewer than `limit` documents of its collection, and
   * returns false (creating nothing) otherwise. Atomic against concurrent calls for the same sandbox, so a
   * hard guardrail holds under load. @throws StoreConflictError when the id already exists (in any sandbox).
   */
  createIfFewerThan(document: ScopedDocumentRecord, limit: number): Promise<boolean>;
  get(collection: string, id: string): Promise<ScopedDocumentRecord | undefined>;
  /** Ordered by creation time, then id. */
  list(collection: string, page: PageRequest): Promise<Page<ScopedDocumentRecord>>;
  findByName(collection: string, name: string): Promise<readonly ScopedDocumentRecord[]>;
  count(collection: string): Promise<number>;
  /**
   * Replaces the document when its stored etag equals `expectedEtag` (compare-and-set).
   * Returns the new record, `'stale'` when the etag differs, undefined when absent.
   */
  replace(collection: string, id: string, expectedEtag: string, patch: ScopedDocumentPatch): Promise<ScopedDocumentRecord | 'stale' | undefined>;
  delete(collection: string, id: string): Promise<boolean>;
  /** Deletes every document of the sandbox (sandbox reset/delete). */
  deleteAll(): Promise<number>;
}

// ── Batches and durable jobs (migration 0002) ─────────────────────────────────────────────────────

export type BatchRecordStatus = 'loading' | 'processing' | 'success' | 'failed' | 'aborted';

/** One ingestion batch (SPEC §3.3) as stored: the columns queries filter on, the rest in `details`. */
export interface BatchRecord {
  readonly id: string;
  readonly datasetId: string;
  readonly status: BatchRecordStatus;
  readonly inputFormat: string;
  /** Percent of rows that may be rejected; null = atomic. */
  readonly errorThreshold: number | null;
  /** Changes on every write; the compare-and-set key of {@link BatchRepository.replace}. */
  readonly etag: string;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly completedAt: EpochMs | null;
  readonly createdBy: string;
  /** Everything else the domain keeps about the batch (files, metrics, errors…), stored as JSON. */
  readonly details: unknown;
}

export type BatchRecordPatch = Omit<BatchRecord, 'id' | 'datasetId' | 'createdAt' | 'createdBy'>;

/** Which batches {@link BatchRepository.list} returns, and in which order. */
export interface BatchQuery {
  /** Only batches of these datasets (an empty list matches none); every dataset when absent. */
  readonly datasetIds?: readonly string[] | undefined;
  readonly status?: BatchRecordStatus | undefined;
  /**
   * `newest-first`: creation time descending, then id descending (the Catalog listing).
   * `completion`: completion time ascending, then id (the order batches were published in).
   */
  readonly order: 'newest-first' | 'completion';
  readonly offset?: number | undefined;
  readonly limit?: number | undefined;
}

/** The batches of one sandbox; like documents, an id of another sandbox is an absent one. */
export interface BatchRepository {
  /** @throws StoreConflictError when the id already exists. */
  create(batch: BatchRecord): Promise<void>;
  get(id: string): Promise<BatchRecord | undefined>;
  list(query: BatchQuery): Promise<readonly BatchRecord[]>;
  /** Compare-and-set on the etag: the new record, `'stale'` when the etag differs, undefined when absent. */
  replace(id: string, expectedEtag: string, patch: BatchRecordPatch): Promise<BatchRecord | 'stale' | undefined>;
  delete(id: string): Promise<boolean>;
  /** Deletes every batch of the sandbox (sandbox reset/delete). */
  deleteAll(): Promise<number>;
}

/** `queued → running → succeeded | failed`; a running job whose lease expired may be claimed again. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

/**
 * A unit of durable background work (DESIGN.md "Runs are the queue"): a row first, claimed by one
 * worker at a time under a lease that the worker extends while it works.
 */
export interface JobRecord {
  /** Increases with every enqueue: the order jobs of one queue run in. */
  readonly id: number;
  /** What to do, e.g. `ingest-batch`; a worker claims only the kinds it handles. */
  readonly kind: string;
  /** The object the job works on, e.g. a batch id. */
  readonly subjectId: string;
  readonly sandboxId: string | null;
  /** Jobs sharing a queue key run one after the other, in id order; null = no ordering. */
  readonly queueKey: string | null;
  readonly state: JobState;
  /** How many times the job was claimed (a claim after an expired lease counts again). */
  readonly attempts: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: EpochMs | null;
  /** Not claimable before this time. */
  readonly runAfter: EpochMs;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly lastError: string | null;
}

export interface NewJob {
  readonly kind: string;
  readonly subjectId: string;
  readonly sandboxId: string | null;
  readonly queueKey?: string | null | undefined;
  /** Default: `now`. */
  readonly runAfter?: EpochMs | undefined;
  /**
   * When true, an unfinished (queued or running) job of the same kind and subject is returned instead of
   * a second one being created; atomic under concurrent enqueues.
   */
  readonly oncePerSubject?: boolean | undefined;
}

/** A worker asking for work: the kinds it handles, who it is, how long its lease lasts. */
export interface ClaimRequest {
  readonly kinds: readonly string[];
  readonly workerId: string;
  readonly leaseMs: number;
  readonly now: EpochMs;
}

/**
 * The durable job queue. Every state change after the claim names the worker and happens only while that
 * worker still owns the lease, so a worker that lost its lease (it expired and another worker claimed the
 * job) can neither extend, complete nor fail it. Times come from the caller's clock.
 */
export interface JobRepository {
  enqueue(job: NewJob, now: EpochMs): Promise<JobRecord>;
  /**
   * Claims the due job of the given kinds with the lowest id — a `queued` job whose `runAfter` has come, or
   * a `running` one whose lease expired (taken over) — unless an earlier job of its queue is unfinished.
   * The job becomes `running`, owned by `workerId` until `now + leaseMs`, one more attempt. Two concurrent
   * claims never get the same job (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one atomic statement).
   */
  claimNext(request: ClaimRequest): Promise<JobRecord | undefined>;
  /** Extends the lease to `now + leaseMs`; false when `workerId` no longer owns the running job. */
  heartbeat(id: number, workerId: string, leaseMs: number, now: EpochMs): Promise<boolean>;
  /** `running → succeeded`; false (and no change) when `workerId` is not the owner. */
  complete(id: number, workerId: string, now: EpochMs): Promise<boolean>;
  /**
   * `running → failed` with `error`, or back to `queued` until `retryAt` when given; false (no change)
   * when `workerId` is not the owner.
   */
  fail(id: number, workerId: string, outcome: { readonly error: string; readonly now: EpochMs; readonly retryAt?: EpochMs | undefined }): Promise<boolean>;
  /** Gives a running job back (`queued`, attempt not counted), e.g. at shutdown; false when not the owner. */
  release(id: number, workerId: string, now: EpochMs): Promise<boolean>;
  get(id: number): Promise<JobRecord | undefined>;
  /** The newest job of a kind and subject. */
  findLatest(kind: string, subjectId: string): Promise<JobRecord | undefined>;
  /** Running jobs whose lease expired by `now`, lowest id first. */
  findExpired(now: EpochMs): Promise<readonly JobRecord[]>;
  /**
   * Ends every running lease now (returns how many), so the jobs are claimed again at once. Only for a
   * process that knows no other live process holds a lease (embedded mode, behind the data-dir lock).
   */
  expireAllLeases(now: EpochMs): Promise<number>;
  /** Deletes the jobs of a sandbox that are not running (sandbox reset/delete); returns how many. */
  deleteOfSandbox(sandboxId: string): Promise<number>;
}

// ── end of batches and durable jobs ──────────────────────────────────────────────────────────────

// ── Segmentation (migrations 0004–0007): segmentation-store.ts ─────────────────────────────────────
export * from './segmentation-store.js';

/** What one sandbox's data looks like through the store. */
export interface SandboxScopedStore {
  readonly sandboxId: string;
  readonly documents: ScopedDocumentRepository;
  readonly batches: BatchRepository;
  readonly segmentDefinitions: SegmentDefinitionRepository;
  readonly segmentJobs: SegmentJobRepository;
  readonly segmentSnapshots: SegmentSnapshotRepository;
  readonly schedules: SegmentScheduleRepository;
  readonly exportJobs: ExportJobRepository;
}

export interface MigrationStatus {
  readonly name: string;
  readonly executedAt: EpochMs | null;
}

export type StoreDialect = 'sqlite' | 'postgres';

/** The control-plane store. Obtain one from `openStore(config)` in the composition root. */
export interface Store {
  readonly dialect: StoreDialect;
  readonly sandboxes: SandboxRepository;
  readonly users: UserRepository;
  readonly credentials: CredentialRepository;
  readonly roles: RoleRepository;
  readonly tokens: TokenRepository;
  readonly sessions: SessionRepository;
  readonly audit: AuditRepository;
  readonly jobs: JobRepository;
  readonly attempts: AttemptCounterRepository;
  readonly segmentSchedules: SegmentScheduleDirectory;
  /**
   * Runs `work` only when no other process runs work under the same name now (PostgreSQL: a session
   * advisory lock held on a reserved connection while `work` runs; SQLite, one process behind the data-dir
   * lock: always). Resolves `{ ran: false }` at once when another process holds it.
   */
  runExclusive<T>(name: string, work: () => Promise<T>): Promise<{ readonly ran: true; readonly value: T } | { readonly ran: false }>;
  /** The only way to reach sandbox-scoped data. */
  sandbox(sandboxId: string): SandboxScopedStore;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<readonly string[]>;
  migrationStatus(): Promise<readonly MigrationStatus[]>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A uniqueness rule said no (duplicate name, e-mail, client id or id). */
export class StoreConflictError extends Error {
  constructor(readonly constraint: string, options?: { cause?: unknown }) {
    super(`Unique constraint violated: ${constraint}`, options);
    this.name = 'StoreConflictError';
  }
}

/** A page cursor that this store did not issue (or that was altered) was passed to a list method. */
export class StoreCursorError extends Error {
  constructor(readonly cursor: string) {
    super('Invalid page cursor');
    this.name = 'StoreCursorError';
  }
}
