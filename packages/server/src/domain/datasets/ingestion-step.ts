// What a worker does with a claimed ingest-batch job, decided from the batch's status and whether the job was cut off before.
import type { BatchStatus } from './dataset-types.js';

/**
 * - `ingest`: validate and publish the staged files;
 * - `fail-interrupted`: an earlier worker was cut off mid-ingestion (its lease expired): the batch fails with
 *   `INGESTION_INTERRUPTED` rather than being ingested again — the engine may have published part of it,
 *   and an input that crashed a process (e.g. inside DuckDB) would crash the next one as well;
 * - `discard-staging`: the batch already reached its final status (the worker was cut off after writing
 *   it): only the staged files are left to remove;
 * - `nothing`: the batch is gone (dataset or sandbox deleted) or not completed.
 */
export type IngestionStep = 'ingest' | 'fail-interrupted' | 'discard-staging' | 'nothing';

export function ingestionStep(status: BatchStatus | undefined, cutOffBefore: boolean): IngestionStep {
  switch (status) {
    case 'processing':
      return cutOffBefore ? 'fail-interrupted' : 'ingest';
    case 'success':
    case 'failed':
    case 'aborted':
      return 'discard-staging';
    case 'loading':
    case undefined:
      return 'nothing';
  }
}
