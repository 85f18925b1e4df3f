// The analytical engine port: ingestion into the Parquet lake, identity stitching, merged profiles and lookups.
//
// The domain talks to these interfaces only; the DuckDB implementation (engine/duckdb/) owns every SQL
// statement. Nothing here loads profiles or the identity graph into JavaScript: work happens in the engine.
import type { DatasetSchema, FileWarning, InputFormat, RowError, RowErrorCode } from './lake-schema.js';

/** One uploaded file of a batch, staged on local disk. */
export interface StagedFile {
  /** The name the client uploaded it under (reported in row errors, the lake's `_file`): metadata only. */
  readonly name: string;
  /**
   * Absolute path of the staged bytes (possibly gzip-compressed, detected by magic bytes). Readers open exactly
   * this file: it is never expanded as a pattern.
   */
  readonly path: string;
}

/** Everything needed to validate a batch and publish its valid rows. */
export interface IngestRequest {
  readonly sandboxId: string;
  readonly datasetId: string;
  readonly batchId: string;
  readonly schema: DatasetSchema;
  readonly format: InputFormat;
  readonly files: readonly StagedFile[];
  /** Percent (0–100) of rejected rows tolerated; undefined = atomic (any rejected row fails the batch). */
  readonly errorThreshold: number | undefined;
  /** Batch completion time (epoch ms): the fragment time of rows without a timestampField value. */
  readonly completedAt: number;
  /**
   * Final directory of the batch's Parquet files (`lake/<sandboxId>/<datasetId>/<batchId>/`). The engine
   * writes elsewhere first and renames, so the directory appears complete or not at all.
   */
  readonly lakeDir: string;
  /** Where `errors.ndjson` and `rejected.ndjson` are written (`errors/<batchId>/`). */
  readonly errorsDir: string;
  /** Scratch space (`tmp/`). */
  readonly tmpDir: string;
  /** Progress callback: rows read so far (optional). */
  readonly onProgress?: (rowsRead: number) => void;
}

export interface IngestResult {
  readonly status: 'success' | 'failed';
  readonly inputRecordCount: number;
  readonly outputRecordCount: number;
  readonly failedRecordCount: number;
  readonly inputByteSize: number;
  /** Data rows read per file (valid + rejected). */
  readonly files: readonly { readonly name: string; readonly records: number }[];
  readonly errorCounts: Readonly<Partial<Record<RowErrorCode, number>>>;
  /** The first 100 rejected rows, in file then row order. */
  readonly failedRows: readonly RowError[];
  /** Files read without a data row, in file order (not errors: the batch may succeed). */
  readonly warnings: readonly FileWarning[];
}

/** Writes batches into the lake. */
export interface IngestionEngine {
  /**
   * Validates every row against the schema (SPEC §3.4), writes the error files, and — when the batch
   * succeeds — publishes the valid rows under `lakeDir`. A failed batch leaves nothing in the lake.
   */
  ingest(request: IngestRequest): Promise<IngestResult>;
}

/** An identity `(namespace, id)`; namespaces compare case-insensitively. */
export interface Identity {
  readonly namespace: string;
  readonly id: string;
}

/** A dataset as the profile engine reads it: its schema and the lake directories of its successful batches. */
export interface LakeDataset {
  readonly id: string;
  readonly schema: DatasetSchema;
  /** Directories of successful batches, in completion order. */
  readonly batchDirs: readonly string[];
}

/** How fragments become profiles (SPEC §4.2–4.3). */
export interface MergeRules {
  readonly identityGraph: 'none' | 'pdg';
  readonly attributeMerge: { readonly type: 'timestampOrdered' } | { readonly type: 'dataSetPrecedence'; readonly order: readonly string[] };
}

/** The inputs of a profile computation in one sandbox. */
export interface ProfileScope {
  readonly sandboxId: string;
  /** Profile-enabled profile-class datasets. */
  readonly profileDatasets: readonly LakeDataset[];
  /** Profile-enabled experienceEvent datasets. */
  readonly eventDatasets: readonly LakeDataset[];
  readonly rules: MergeRules;
  /** Cache directory for derived tables (`derived/<sandboxId>/`); contents are rebuildable. */
  readonly derivedDir: string;
}

/** One merged profile (SPEC §4.5), attributes nested by path. */
export interface MergedProfile {
  /** `<namespace>:<id>` of the smallest identity (pdg) or the primary identity (none). */
  readonly profileKey: string;
  readonly identities: readonly (Identity & { readonly primary: boolean })[];
  /** Dataset ids that contributed fragments. */
  readonly sources: readonly string[];
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Newest fragment time (epoch ms). */
  readonly lastModifiedAt: number;
}

export interface ProfileEvent {
  readonly eventId: string;
  readonly timestamp: number;
  readonly datasetId: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface EventQuery {
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
}

/** Computes stitched, merged profiles over the lake. */
export interface ProfileEngine {
  /** The profile that contains `identity`, merged by the scope's rules; undefined when none does. */
  lookupProfile(scope: ProfileScope, identity: Identity): Promise<MergedProfile | undefined>;
  /** Events of the profile containing `identity`, newest first. */
  profileEvents(scope: ProfileScope, identity: Identity, query: EventQuery): Promise<readonly ProfileEvent[]>;
  /** Number of profiles in the scope (for dataset and demo summaries). */
  countProfiles(scope: ProfileScope): Promise<number>;
}

/** Relation names the engine binds while it evaluates compiled audiences; pass them to compilePql. */
export const SEGMENT_RELATIONS = { profiles: '"$profiles"', events: '"$events"', memberships: '"$memberships"' } as const;

/** One compiled audience (`compilePql` output) and the fields it reads. */
export interface AudienceQuery {
  readonly id: string;
  readonly sql: string;
  readonly parameters: readonly (string | number | boolean | bigint)[];
  /**
   * CheckResult.fields: the profile paths and `xEvent.<path>` event paths the SQL reads. The engine materialises only
   * the union of these columns in "$profiles"/"$events" (cost follows the fields used, not the union schema).
   */
  readonly fields: readonly string[];
}

/** A Parquet membership snapshot: columns `profileKey` VARCHAR, `status` VARCHAR, `lastQualificationTime` TIMESTAMP (UTC). */
export interface SnapshotFile {
  readonly path: string;
}

export interface SegmentEvaluationRequest {
  /** The merge policy's rules. */
  readonly scope: ProfileScope;
  /** Audiences in dependency order: an audience's inSegment ids are earlier in this list or in `external`. */
  readonly audiences: readonly AudienceQuery[];
  /** Dependencies (audience id → ids) so a failed audience fails its dependents with a message naming it. */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  /** Members of audiences referenced but not evaluated here (preview: their latest snapshots). */
  readonly external?: ReadonlyMap<string, SnapshotFile>;
  /** Previous snapshot per audience (realized/existing/exited are relative to it). */
  readonly previous: ReadonlyMap<string, SnapshotFile>;
  /** Job start, epoch ms. */
  readonly evaluatedAt: number;
  /** Directory to write `<audienceId>.parquet` snapshots into (the caller publishes them). */
  readonly outputDir: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export type AudienceOutcome =
  | {
      readonly id: string;
      readonly ok: true;
      readonly snapshot: SnapshotFile;
      readonly counts: { readonly realized: number; readonly existing: number; readonly exited: number };
      /** Members having ≥ 1 identity of the namespace. */
      readonly byNamespace: Readonly<Record<string, number>>;
    }
  | { readonly id: string; readonly ok: false; readonly error: string };

export interface SegmentEvaluationResult {
  readonly totalProfiles: number;
  readonly audiences: readonly AudienceOutcome[];
}

export interface PreviewRequest {
  readonly scope: ProfileScope;
  readonly query: AudienceQuery;
  readonly external: ReadonlyMap<string, SnapshotFile>;
  /** Above this many profiles, a deterministic uniform sample of this many is evaluated. */
  readonly sampleSize: number;
  /** Members returned at most. */
  readonly limit: number;
  /** Aborting interrupts the evaluation (a deleted preview); the promise then rejects. */
  readonly signal?: AbortSignal;
}

export interface PreviewResult {
  readonly totalProfiles: number;
  readonly profilesRead: number;
  readonly matched: number;
  readonly sampled: boolean;
  readonly estimatedSize: number;
  readonly standardError: number;
  readonly byNamespace: Readonly<Record<string, number>>;
  readonly members: readonly MergedProfile[];
}

/** One row of a membership snapshot. */
export interface SnapshotRow {
  readonly profileKey: string;
  readonly status: 'realized' | 'existing' | 'exited';
  readonly lastQualificationTime: number;
}

/** One audience's snapshot read by an export, with the filters of its rows and where its membership is written. */
export interface MemberExportSource {
  readonly snapshot: SnapshotFile;
  /** Rows of these statuses are read (`exited` included only when listed). */
  readonly statuses: readonly SnapshotRow['status'][];
  /** `lastQualificationTime` window, epoch ms: from inclusive, before exclusive. */
  readonly qualifiedFrom?: number | undefined;
  readonly qualifiedBefore?: number | undefined;
  /** The audience's id: the key of the member's entry in the row's `segmentMembership.ups` (SPEC §3.1 system field). */
  readonly audienceId: string;
}

/** Members of several snapshots with their merged attributes, written as NDJSON files (export jobs, SPEC §5.9). */
export interface MemberExportRequest {
  readonly scope: ProfileScope;
  readonly sources: readonly MemberExportSource[];
  /**
   * Profile paths to write, nested as objects, with the values `lookupProfile` gives (a path naming an object, such as
   * `person`, writes every declared path under it). Missing values are left out.
   */
  readonly fields: readonly string[];
  /** Also profiles without a fragment of a profile dataset (only identities or events). */
  readonly includeEmptyProfiles: boolean;
  /** A scratch directory the engine creates and fills; `discard()` removes it. */
  readonly workDir: string;
  /** A file is closed and the next one started before it passes this size (one upload's limit). */
  readonly maxFileBytes: number;
}

/**
 * The written rows: one per current profile any source's key resolves to (two keys of one profile → one row), with
 * the requested `fields`, `identityMap` (`{<namespace>: [{id, primary}]}`, primary = the profile key's identity) and
 * `segmentMembership` (`{"ups": {<audienceId>: {status, lastQualificationTime}}}` for every source the profile is a
 * member of; two keys of one profile in one snapshot: the greatest key's row).
 */
export interface MemberExport {
  readonly rows: number;
  /** Rows having ≥ 1 identity of the namespace. */
  readonly byNamespace: Readonly<Record<string, number>>;
  /** NDJSON files in order (none when no row), each under `maxFileBytes`. */
  readonly files: readonly { readonly bytes: number; read(): AsyncIterable<Uint8Array> }[];
  discard(): Promise<void>;
}

/** One file column of an audience export (SPEC §7.5), resolved from a flow's mapping; `name` is the final column name. */
export type ExportColumn =
  /** The merged value of a declared profile path (a path naming an object: its JSON text). */
  | { readonly kind: 'attribute'; readonly name: string; readonly path: string }
  /** One identity id of the namespace per row (SPEC §7.5 row expansion; compared case-insensitively). */
  | { readonly kind: 'identity'; readonly name: string; readonly namespace: string }
  /** `Active` (realized/existing) or `Expired` (exited) for the exported audience. */
  | { readonly kind: 'membershipStatus'; readonly name: string }
  /** The member's `lastQualificationTime` for the exported audience (a date-time). */
  | { readonly kind: 'lastQualificationTime'; readonly name: string };

/** CSV writing options (SPEC §6.4), complete. `quote` `''` = never quote. */
export interface ExportCsvOptions {
  readonly delimiter: string;
  readonly quote: string;
  readonly escape: string;
  readonly nullValue: string;
  readonly emptyValue: string;
  readonly header: boolean;
  readonly quoteAll: boolean;
}

/** How staged files are written (SPEC §6.4): the format and its whole-file compression; never encrypted here. */
export interface ExportFileFormat {
  readonly fileType: 'CSV' | 'JSON' | 'PARQUET';
  readonly compression: 'NONE' | 'GZIP';
  readonly csv: ExportCsvOptions;
}

/** One audience's export (SPEC §7.5, §8.2, §8.4): members → rows → mandatory filter → dedup → files of at most `maxFileRowCount` rows. */
export interface AudienceExportRequest {
  readonly scope: ProfileScope;
  readonly audienceId: string;
  /** The audience's latest SUCCEEDED snapshot (S). */
  readonly snapshot: SnapshotFile;
  /**
   * Incremental exports only: the baseline snapshot (B). Rows: members of S not in B (Active) and, when
   * `includeExpired`, members of B not in S (Expired); keys of both resolved to current profiles. Absent = full export
   * (realized + existing members of S, Active).
   */
  readonly baseline?: SnapshotFile;
  readonly includeExpired: boolean;
  /** Columns in file order; names unique. */
  readonly columns: readonly ExportColumn[];
  /** Names of columns whose value must be present: a profile lacking one is skipped (counted in `skippedRecordCount`). */
  readonly mandatory: readonly string[];
  /**
   * Names of the dedup key columns (one or two), or empty for no dedup. Among rows with equal keys the row kept is the
   * one with the latest lastQualificationTime, then the latest profile update, then the smallest remaining column
   * values compared as strings in column order (missing first) — SPEC §7.5.
   */
  readonly dedupKey: readonly string[];
  readonly format: ExportFileFormat;
  /** Data rows per file at most (SPEC §8.4); every file repeats the CSV header. */
  readonly maxFileRowCount: number;
  /** An empty scratch directory the engine fills with the files (`part-00001.<ext>`, …); the caller removes it. */
  readonly workDir: string;
  readonly signal?: AbortSignal;
}

/** A staged export file, complete on disk, in file order. */
export interface StagedExportFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
}

/** What an audience export wrote and why rows are missing (SPEC §9.1 recordSummary). */
export interface AudienceExportResult {
  /** Profiles selected from the snapshot(s) ("Profiles received"). */
  readonly inputRecordCount: number;
  /** Profiles excluded because a mandatory value was missing (`ACTIVATION_BATCH-0000-SKIP`). */
  readonly skippedRecordCount: number;
  /** Rows removed by deduplication. */
  readonly deduplicatedRowCount: number;
  /** Data rows written over all files. */
  readonly outputRecordCount: number;
  /** At least one file (a zero-row export writes one: CSV header only, empty JSON, Parquet schema). */
  readonly files: readonly StagedExportFile[];
  /** Lake bytes and files read (estimates for sizeSummary/fileSummary). */
  readonly inputBytes: number;
  readonly inputFileCount: number;
}

/** Evaluates compiled audiences over merged profiles (SPEC §5.5–5.7). */
export interface SegmentEngine {
  evaluateSegments(request: SegmentEvaluationRequest): Promise<SegmentEvaluationResult>;
  previewSegment(request: PreviewRequest): Promise<PreviewResult>;
  /** Rows of a snapshot (for lookups' segmentMembership, export jobs, tests): profile key → status. */
  readSnapshot(snapshot: SnapshotFile, profileKeys?: readonly string[]): Promise<readonly SnapshotRow[]>;
  /** Members of snapshots with their attributes, computed in one pass and streamed to disk (memory bounded by the engine's limit). */
  exportMembers(request: MemberExportRequest): Promise<MemberExport>;
}

/** Writes the files of dataflow runs (SPEC §7.5, §8.2–8.4). */
export interface ExportEngine {
  /** One audience's export files, staged on local disk; memory bounded by the export memory limit, not the audience's size. */
  exportAudience(request: AudienceExportRequest): Promise<AudienceExportResult>;
}

/** Every engine capability behind one handle, closed at shutdown. */
export interface AnalyticsEngine extends IngestionEngine, ProfileEngine, SegmentEngine, ExportEngine {
  /** Resolves when the engine answers a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Raised when an upload exceeds the byte limit (HTTP 413) or ends before its declared length. */
export class UploadRejectedError extends Error {
  constructor(readonly reason: 'too-large' | 'incomplete', message: string) {
    super(message);
    this.name = 'UploadRejectedError';
  }
}

/**
 * Files of the lake outside the engine's queries: staged uploads, error reports, batch and dataset
 * directories (SPEC §13.5 layout). Paths it returns are absolute.
 */
export interface LakeStorage {
  /**
   * Streams an upload into `staging/<batchId>/` under a generated name (`stagedAs`: never derived from `fileName`,
   * never a glob pattern), written to a temporary `.part` file first and renamed once the whole body arrived.
   * Two uploads never share a file. Nothing stays behind when it fails. `fileName` only appears in messages.
   * @throws UploadRejectedError over `maxBytes` or when fewer bytes than `declaredLength` arrive.
   */
  stageFile(batchId: string, fileName: string, body: AsyncIterable<Uint8Array>, limits: { maxBytes: number; declaredLength?: number | undefined }): Promise<{ stagedAs: string; size: number }>;
  /**
   * The staged files of a batch, in the given order, each under its client name. `stagedAs` is what
   * {@link stageFile} returned (absent for uploads staged before generated names: they were staged under their name).
   */
  stagedFiles(batchId: string, files: readonly { readonly name: string; readonly stagedAs?: string | undefined }[]): StagedFile[];
  /** Removes one staged upload (replaced by a later upload of the same name, or not recorded in the batch). */
  discardStagedFile(batchId: string, stagedAs: string): Promise<void>;
  /** Removes the temporary files of uploads a stopped process left unfinished; call at start, before serving. */
  sweep(): Promise<number>;
  discardStaging(batchId: string): Promise<void>;
  batchLakeDir(sandboxId: string, datasetId: string, batchId: string): string;
  errorsDir(batchId: string): string;
  /** An error report (`errors.ndjson`, `rejected.ndjson`) with its size, or undefined. */
  errorFile(batchId: string, name: string): Promise<{ path: string; size: number } | undefined>;
  /** Deletes every lake file of a dataset (and its derived caches in the sandbox). */
  removeDatasetData(sandboxId: string, datasetId: string, batchIds: readonly string[]): Promise<void>;
  /** Deletes every lake file and cache of a sandbox and the error reports of its batches (sandbox reset and delete). */
  removeSandboxData(sandboxId: string, batchIds: readonly string[]): Promise<void>;
  readonly tmpDir: string;
  derivedDir(sandboxId: string): string;
  /**
   * An empty scratch directory for one segment job's snapshots (`tmp/segment-jobs/<jobId>/`), emptied first: a
   * re-run after a restart starts from nothing.
   */
  prepareSnapshotStaging(jobId: string): Promise<string>;
  discardSnapshotStaging(jobId: string): Promise<void>;
  /**
   * Moves a snapshot written in the staging directory to `snapshots/<sandboxId>/<segmentId>/<jobId>.parquet` (a rename:
   * the file appears whole or not at all) and returns its final path. Ids are our UUIDs, checked to be plain names.
   */
  publishSnapshot(stagedPath: string, sandboxId: string, segmentId: string, jobId: string): Promise<string>;
  /** Deletes one snapshot file (retention, a job cut off before it ended); a missing file is not an error. */
  removeSnapshot(filePath: string): Promise<void>;
}
