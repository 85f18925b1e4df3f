// Run metrics of an export (SPEC §9.1): counts, the skip entry, files and published bytes.
import { describe, expect, it } from 'vitest';
import type { AudienceExportResult } from '../engine/engine.js';
import { exportMetricsOf } from './export-metrics.js';

const result = (overrides: Partial<AudienceExportResult> = {}): AudienceExportResult => ({
  inputRecordCount: 1834,
  skippedRecordCount: 44,
  deduplicatedRowCount: 0,
  outputRecordCount: 1790,
  files: [{ path: '/tmp/x/part-00001.csv.gz', rows: 1790, bytes: 140000 }],
  inputBytes: 1048576,
  inputFileCount: 1,
  ...overrides,
});

describe('exportMetricsOf', () => {
  it('reports the SPEC example: skipped profiles with their code and message, published bytes', () => {
    expect(exportMetricsOf(result(), [145854])).toEqual({
      inputRecordCount: 1834,
      outputRecordCount: 1790,
      skippedRecordCount: 44,
      deduplicatedRowCount: 0,
      skippedInfo: [{ code: 'ACTIVATION_BATCH-0000-SKIP', message: "Records didn't match attribute filter.", count: 44, type: 'Warning' }],
      inputBytes: 1048576,
      inputFileCount: 1,
      outputFileCount: 1,
      outputBytes: 145854,
    });
  });

  it('has no skippedInfo when nothing was skipped, and sums split files', () => {
    const metrics = exportMetricsOf(result({ skippedRecordCount: 0, deduplicatedRowCount: 7, outputRecordCount: 1827 }), [100, 200, 3]);
    expect(metrics.skippedInfo).toEqual([]);
    expect(metrics.deduplicatedRowCount).toBe(7);
    expect([metrics.outputFileCount, metrics.outputBytes]).toEqual([3, 303]);
  });
});
