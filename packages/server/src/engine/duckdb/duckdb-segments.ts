// The DuckDB SegmentEngine: evaluates compiled audiences over merged profiles and writes membership snapshots.
import type { PreviewRequest, PreviewResult, SegmentEngine, SegmentEvaluationRequest, SegmentEvaluationResult, SnapshotFile, SnapshotRow } from '../engine.js';
import type { DuckDbDatabase } from './duckdb-database.js';
import type { DuckDbProfileEngine } from './duckdb-profiles.js';

/** Implements {@link SegmentEngine} over the profile engine's derived tables. */
export class DuckDbSegmentEngine implements SegmentEngine {
  constructor(
    private readonly database: DuckDbDatabase,
    private readonly profiles: DuckDbProfileEngine,
  ) {}

  evaluateSegments(request: SegmentEvaluationRequest): Promise<SegmentEvaluationResult> {
    void request;
    void this.database;
    void this.profiles;
    return Promise.reject(new Error('segment evaluation is not implemented yet'));
  }

  previewSegment(request: PreviewRequest): Promise<PreviewResult> {
    void request;
    return Promise.reject(new Error('segment preview is not implemented yet'));
  }

  readSnapshot(snapshot: SnapshotFile, profileKeys?: readonly string[]): Promise<readonly SnapshotRow[]> {
    void snapshot;
    void profileKeys;
    return Promise.reject(new Error('snapshot reading is not implemented yet'));
  }
}
