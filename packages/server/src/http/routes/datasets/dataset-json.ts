// AEP Catalog JSON of datasets and batches (SPEC §3.2–3.3): objects keyed by id, epoch-ms times.
import type { Batch, Dataset } from '../../../domain/datasets/dataset-types.js';

export interface CatalogRenderContext {
  readonly orgId: string;
  readonly sandboxName: string;
}

/** The inner dataset object; `batches` are the dataset's batches (for lastBatch* and recordCount). */
export function datasetJson(dataset: Dataset, batches: readonly Batch[], context: CatalogRenderContext) {
  const ofDataset = batches.filter((batch) => batch.datasetId === dataset.id).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const last = ofDataset.at(-1);
  const recordCount = ofDataset.filter((batch) => batch.status === 'success').reduce((sum, batch) => sum + (batch.metrics?.outputRecordCount ?? 0), 0);
  return {
    name: dataset.name, description: dataset.description, imsOrg: context.orgId, sandboxName: context.sandboxName, profileEnabled: dataset.profileEnabled,
    schema: dataset.schema, created: dataset.createdAt, updated: dataset.updatedAt, createdUser: dataset.createdBy,
    ...(last === undefined ? {} : { lastBatchId: last.id, lastBatchStatus: last.status }),
    recordCount, version: '1.0.0',
  };
}

/** The inner batch object (also the 201 body of batch creation). */
export function batchJson(batch: Batch, context: CatalogRenderContext) {
  const errors = [
    ...(batch.errors ?? []).map((error) => ({ code: error.code, description: error.message })),
    ...Object.entries(batch.errorCounts ?? {}).map(([code, rows]) => ({ code, description: `${rows} row${rows === 1 ? '' : 's'} rejected`, rows })),
  ];
  const finished = batch.status === 'success' || batch.status === 'failed';
  return {
    id: batch.id, imsOrg: context.orgId, sandboxName: context.sandboxName, relatedObjects: [{ type: 'dataSet', id: batch.datasetId }],
    status: batch.status, inputFormat: { format: batch.inputFormat },
    ...(batch.errorThreshold === undefined ? {} : { partialIngestion: { errorThreshold: batch.errorThreshold } }),
    created: batch.createdAt, updated: batch.updatedAt, ...(batch.completedAt === undefined ? {} : { completed: batch.completedAt }), createdUser: batch.createdBy,
    files: batch.files.map(({ name, size, records }) => (records === undefined ? { name, size } : { name, size, records })), ...(batch.metrics === undefined ? {} : { metrics: batch.metrics, recordCount: batch.metrics.outputRecordCount }),
    ...(finished ? { errors, failedRows: batch.failedRows ?? [] } : {}),
    ...(finished && batch.warnings !== undefined && batch.warnings.length > 0 ? { warnings: batch.warnings.map(({ code, file }) => ({ code, file })) } : {}),
    ...(finished && (batch.metrics?.failedRecordCount ?? 0) > 0
      ? { _links: { errors: { href: `/data/foundation/export/batches/${batch.id}/failed?path=errors.ndjson` } } }
      : {}),
  };
}

/** `{ "<id>": object, … }` in the given order. */
export function keyed<T>(entries: readonly (readonly [string, T])[]): Record<string, T> {
  return Object.fromEntries(entries);
}
