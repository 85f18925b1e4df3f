// The control-plane store port: everything Activator keeps about its configuration, behind one interface.
//
// Two implementations (SQLite, PostgreSQL) share one Kysely code path; the domain never sees either.
// Sandbox-scoped data is reachable only through `store.sandbox(id)`, so a query cannot forget its sandbox.

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

/** What one sandbox's data looks like through the store. */
export interface SandboxScopedStore {
  readonly sandboxId: string;
  readonly documents: ScopedDocumentRepository;
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
  readonly attempts: AttemptCounterRepository;
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
