// Plain domain types of datasets and ingestion batches (SPEC §3.2–3.4); schemas are the lake vocabulary of the engine port.
import type { DatasetSchema, FileWarning, InputFormat, RowError, RowErrorCode } from '../../engine/lake-schema.js';

export type { DatasetSchema, InputFormat, RowError, RowErrorCode };

export interface Dataset {
  readonly id: string;
  readonly sandboxId: string;
  readonly name: string;
  readonly description: string;
  /** False: the dataset does not feed profiles (export-job targets). */
  readonly profileEnabled: boolean;
  readonly schema: DatasetSchema;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
}

export type BatchStatus = 'loading' | 'processing' | 'success' | 'failed' | 'aborted';

export interface BatchFile {
  /** The client's name (unique in the batch; reports and the lake's `_file`). */
  readonly name: string;
  readonly size: number;
  /** Generated name of the staged upload (LakeStorage.stageFile); internal, never shown. */
  readonly stagedAs?: string;
  /** Data rows read from the file (valid + rejected); set once processed. */
  readonly records?: number;
}

export interface BatchMetrics {
  readonly inputRecordCount: number;
  readonly outputRecordCount: number;
  readonly failedRecordCount: number;
  readonly inputByteSize: number;
}

/** Why a whole batch failed, as opposed to rejected rows (SPEC §3.4), e.g. `INGESTION_INTERRUPTED`. */
export interface BatchError {
  readonly code: 'INGESTION_INTERRUPTED';
  readonly message: string;
}

export interface Batch {
  readonly id: string;
  readonly sandboxId: string;
  readonly datasetId: string;
  readonly status: BatchStatus;
  readonly inputFormat: InputFormat;
  /** Percent of rows that may be rejected while the batch still succeeds; undefined = atomic. */
  readonly errorThreshold?: number;
  readonly files: readonly BatchFile[];
  readonly metrics?: BatchMetrics;
  /** Rejected rows: counts per code, e.g. `{TYPE_MISMATCH: 3}`. */
  readonly errorCounts?: Readonly<Partial<Record<RowErrorCode, number>>>;
  /** Errors of the batch as a whole. */
  readonly errors?: readonly BatchError[];
  /** The first 100 rejected rows. */
  readonly failedRows?: readonly RowError[];
  /** Files that held no data row (`EMPTY_FILE`), once processed; absent when there were none. */
  readonly warnings?: readonly FileWarning[];
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly completedAt?: number;
  readonly createdBy: string;
}
