// Batches as the store keeps them: the queried columns of BatchRecord, everything else of the domain type in `details`.
import type { BatchRecord } from '../../storage/store.js';
import type { Batch } from './dataset-types.js';

/** A batch with the compare-and-set version it was read at. */
export type VersionedBatch = Batch & { readonly etag: string };

type BatchDetails = Omit<Batch, 'id' | 'sandboxId' | 'datasetId' | 'status' | 'inputFormat' | 'errorThreshold' | 'createdAt' | 'updatedAt' | 'completedAt' | 'createdBy'>;

/** Every field the domain type gains later lands in `details` without a migration. */
export function toBatchRecord(batch: VersionedBatch): BatchRecord {
  const { id, sandboxId: _sandbox, datasetId, status, inputFormat, errorThreshold, createdAt, updatedAt, completedAt, createdBy, etag, ...details } = batch;
  return {
    id, datasetId, status, inputFormat, errorThreshold: errorThreshold ?? null, etag, createdAt, updatedAt, completedAt: completedAt ?? null, createdBy,
    details: details satisfies BatchDetails,
  };
}

export function fromBatchRecord(record: BatchRecord, sandboxId: string): VersionedBatch {
  return {
    ...(record.details as BatchDetails),
    id: record.id, sandboxId, datasetId: record.datasetId, status: record.status, inputFormat: record.inputFormat as Batch['inputFormat'],
    ...(record.errorThreshold === null ? {} : { errorThreshold: record.errorThreshold }),
    createdAt: record.createdAt, updatedAt: record.updatedAt, ...(record.completedAt === null ? {} : { completedAt: record.completedAt }),
    createdBy: record.createdBy, etag: record.etag,
  };
}
