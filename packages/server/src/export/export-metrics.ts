// What a finished export reports to its run (SPEC §9.1 metrics): record counts, the skip reason, files and bytes. Pure.
import type { AudienceExportResult } from '../engine/engine.js';

/** `skippedInfo` entries (SPEC §9.1, §9.3). */
export interface SkippedInfo {
  readonly code: 'ACTIVATION_BATCH-0000-SKIP';
  readonly message: "Records didn't match attribute filter.";
  readonly count: number;
  readonly type: 'Warning';
}

/** The numbers a run stores from its export. */
export interface ExportMetrics {
  /** Profiles selected from the snapshot(s). */
  readonly inputRecordCount: number;
  /** Data rows written over all files (= createdRecordCount). */
  readonly outputRecordCount: number;
  /** Profiles excluded because a mandatory value was missing. */
  readonly skippedRecordCount: number;
  readonly deduplicatedRowCount: number;
  /** One entry when profiles were skipped, else empty. */
  readonly skippedInfo: readonly SkippedInfo[];
  /** Lake bytes and files read (estimates). */
  readonly inputBytes: number;
  readonly inputFileCount: number;
  /** Data files published and their bytes as published (the manifest excluded). */
  readonly outputFileCount: number;
  readonly outputBytes: number;
}

/** The metrics of an export from the engine's result and the sizes of the data files as published. */
export function exportMetricsOf(result: AudienceExportResult, publishedSizes: readonly number[]): ExportMetrics {
  const skipped = result.skippedRecordCount;
  return {
    inputRecordCount: result.inputRecordCount,
    outputRecordCount: result.outputRecordCount,
    skippedRecordCount: skipped,
    deduplicatedRowCount: result.deduplicatedRowCount,
    skippedInfo: skipped > 0 ? [{ code: 'ACTIVATION_BATCH-0000-SKIP', message: "Records didn't match attribute filter.", count: skipped, type: 'Warning' }] : [],
    inputBytes: result.inputBytes,
    inputFileCount: result.inputFileCount,
    outputFileCount: publishedSizes.length,
    outputBytes: publishedSizes.reduce((sum, size) => sum + size, 0),
  };
}
