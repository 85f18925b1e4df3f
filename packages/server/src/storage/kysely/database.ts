// Row shapes of the control-plane tables as Kysely sees them (snake_case, storage representation).
import type { Generated } from 'kysely';
import type { AuditActorType, AuditOutcome, BatchRecordStatus, ExportJobStatus, JobState, SandboxState, SandboxType, SegmentJobSource, SegmentJobStatus, SegmentLifecycleState } from '../store.js';

/**
 * Storage conventions shared by both dialects:
 * - times are epoch milliseconds in `bigint` columns (the pg pool parses int8 to number);
 * - booleans are `integer` 0/1 (better-sqlite3 cannot bind JS booleans; pg stores the same);
 * - structured values are JSON text.
 */
export type StoredBoolean = 0 | 1;

/** One row of `sandboxes`; names are unique among rows whose state is not `deleted`. */
export interface SandboxesTable {
  id: string;
  name: string;
  title: string;
  state: SandboxState;
  type: SandboxType;
  is_default: StoredBoolean;
  etag: number;
  created_at: number;
  updated_at: number;
  created_by: string;
  updated_by: string;
}

/** One row of `users`; `email` is lower-case and unique. */
export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  admin: StoredBoolean;
  disabled: StoredBoolean;
  created_at: number;
  last_login_at: number | null;
}

/** One row of `credentials`; `client_id` is unique. */
export interface CredentialsTable {
  id: string;
  name: string;
  client_id: string;
  secret_hash: string;
  admin: StoredBoolean;
  disabled: StoredBoolean;
  created_at: number;
  last_used_at: number | null;
}

/** One row of `roles`; `permissions` and `sandboxes` are JSON arrays of strings. */
export interface RolesTable {
  id: string;
  name: string;
  description: string;
  permissions: string;
  sandboxes: string;
  built_in: StoredBoolean;
  created_at: number;
  updated_at: number;
}

/**
 * A role held by a user (`user_roles`) or a credential (`credential_roles`). Both tables have this
 * shape, so one code path maintains them; `position` keeps the order of `roleIds`.
 */
export interface RoleAssignmentsTable {
  /** The user's id in `user_roles`, the credential's id in `credential_roles`. */
  holder_id: string;
  role_id: string;
  position: number;
}

/** One row of `access_tokens`, keyed by the token's SHA-256. */
export interface AccessTokensTable {
  token_hash: string;
  credential_id: string;
  created_at: number;
  expires_at: number;
}

/** One row of `sessions`, keyed by the cookie value's SHA-256. */
export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

/** One row of `audit_log`; `details` is JSON text. */
export interface AuditLogTable {
  id: string;
  time: number;
  actor_type: AuditActorType;
  actor_id: string | null;
  actor_name: string;
  sandbox: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  outcome: AuditOutcome;
  http_status: number | null;
  request_id: string | null;
  ip: string | null;
  details: string;
}

/** One row of `scoped_documents`; `id` is unique across sandboxes, `data` is JSON text. */
export interface ScopedDocumentsTable {
  id: string;
  sandbox_id: string;
  collection: string;
  name: string;
  etag: string;
  data: string;
  created_at: number;
  updated_at: number;
  created_by: string;
  updated_by: string;
}

/** One row of `batches` (migration 0002); `details` is JSON text. */
export interface BatchesTable {
  id: string;
  sandbox_id: string;
  dataset_id: string;
  status: BatchRecordStatus;
  input_format: string;
  error_threshold: number | null;
  etag: string;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  created_by: string;
  details: string;
}

/** One row of `jobs` (migration 0002); `id` is assigned by the database and grows with every insert. */
export interface JobsTable {
  id: Generated<number>;
  kind: string;
  subject_id: string;
  sandbox_id: string | null;
  queue_key: string | null;
  unique_key: string | null;
  state: JobState;
  attempts: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  run_after: number;
  created_at: number;
  updated_at: number;
  last_error: string | null;
}

/** One row of `attempt_counters`: the current fixed window of one limit bucket. */
export interface AttemptCountersTable {
  bucket: string;
  window_start: number;
  attempts: number;
}

/**
 * One row of `segment_definitions` (migration 0004). `name_key` is the case-folded name (unique per sandbox);
 * `evaluation_info`, `dependencies` and `fields` are JSON text.
 */
export interface SegmentDefinitionsTable {
  id: string;
  sandbox_id: string;
  name: string;
  name_key: string;
  description: string | null;
  expression: string;
  merge_policy_id: string;
  lifecycle_state: SegmentLifecycleState;
  evaluation_info: string;
  dependencies: string;
  fields: string;
  etag: string;
  created_at: number;
  updated_at: number;
  created_by: string;
  updated_by: string;
}

/** One `inSegment` reference of an audience (migration 0004), kept in step with its `dependencies`. */
export interface SegmentReferencesTable {
  segment_id: string;
  sandbox_id: string;
  referenced_id: string;
}

/** One row of `segment_jobs` (migration 0005); the structured columns are JSON text. */
export interface SegmentJobsTable {
  id: string;
  sandbox_id: string;
  status: SegmentJobStatus;
  source: SegmentJobSource;
  requested: string;
  segments: string;
  metrics: string;
  errors: string;
  properties: string;
  request_id: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** One audience of a segment job (migration 0005). */
export interface SegmentJobSegmentsTable {
  job_id: string;
  segment_id: string;
}

/** One row of `segment_snapshots` (migration 0005); `by_namespace` is JSON text. */
export interface SegmentSnapshotsTable {
  id: string;
  sandbox_id: string;
  segment_id: string;
  job_id: string;
  evaluated_at: number;
  merge_policy_id: string;
  merge_policy_version: number;
  definition_hash: string;
  file_path: string;
  realized: number;
  existing: number;
  exited: number;
  by_namespace: string;
  visible_at: number | null;
  created_at: number;
}

/** One row of `segment_schedules` (migration 0006); `sandbox_id` is unique, `segments` is a JSON array. */
export interface SegmentSchedulesTable {
  id: string;
  sandbox_id: string;
  name: string;
  type: 'batch_segmentation';
  segments: string;
  cron: string;
  state: 'active' | 'inactive';
  fired_through: number;
  last_fired_at: number | null;
  last_run_id: string | null;
  created_at: number;
  updated_at: number;
  created_by: string;
  updated_by: string;
}

/** One row of `export_jobs` (migration 0007); `request`, `batch_ids`, `metrics`, `errors` are JSON text. */
export interface ExportJobsTable {
  id: Generated<number>;
  sandbox_id: string;
  status: ExportJobStatus;
  request: string;
  batch_ids: string;
  metrics: string | null;
  errors: string;
  segment_job_id: string | null;
  compute_job_id: string;
  request_id: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** Every table the store reads or writes. */
export interface Database {
  sandboxes: SandboxesTable;
  users: UsersTable;
  credentials: CredentialsTable;
  roles: RolesTable;
  user_roles: RoleAssignmentsTable;
  credential_roles: RoleAssignmentsTable;
  access_tokens: AccessTokensTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  scoped_documents: ScopedDocumentsTable;
  batches: BatchesTable;
  jobs: JobsTable;
  attempt_counters: AttemptCountersTable;
  segment_definitions: SegmentDefinitionsTable;
  segment_references: SegmentReferencesTable;
  segment_jobs: SegmentJobsTable;
  segment_job_segments: SegmentJobSegmentsTable;
  segment_snapshots: SegmentSnapshotsTable;
  segment_schedules: SegmentSchedulesTable;
  export_jobs: ExportJobsTable;
}
