// The analytics engine of the composition root: DuckDB ingestion, profiles, segments and exports behind one AnalyticsEngine handle.
import type { AnalyticsEngine } from '../engine.js';
import { DuckDbExportEngine } from './audience-export.js';
import type { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbIngestionEngine, type IngestionOptions } from './duckdb-ingestion.js';
import { DuckDbProfileEngine } from './duckdb-profiles.js';
import { DuckDbSegmentEngine } from './duckdb-segments.js';

/**
 * Every engine capability over one DuckDB instance; audience exports run on `exportDb` when given (an instance with the
 * smaller export memory limit, DESIGN.md), else on `db`. `close` closes both.
 */
export function createDuckDbAnalyticsEngine(db: DuckDbDatabase, ingestionOptions: IngestionOptions = {}, exportDb?: DuckDbDatabase): AnalyticsEngine {
  const ingestion = new DuckDbIngestionEngine(db, ingestionOptions);
  const profiles = new DuckDbProfileEngine(db);
  const segments = new DuckDbSegmentEngine(db, profiles);
  const exports = new DuckDbExportEngine(exportDb ?? db, profiles);
  return {
    ingest: (request) => ingestion.ingest(request),
    lookupProfile: (scope, identity) => profiles.lookupProfile(scope, identity),
    profileEvents: (scope, identity, query) => profiles.profileEvents(scope, identity, query),
    countProfiles: (scope) => profiles.countProfiles(scope),
    evaluateSegments: (request) => segments.evaluateSegments(request),
    previewSegment: (request) => segments.previewSegment(request),
    readSnapshot: (snapshot, keys) => segments.readSnapshot(snapshot, keys),
    exportMembers: (request) => segments.exportMembers(request),
    exportAudience: (request) => exports.exportAudience(request),
    ping: async () => {
      await db.query('SELECT 1');
    },
    close: () => {
      if (exportDb !== undefined && exportDb !== db) exportDb.close();
      db.close();
      return Promise.resolve();
    },
  };
}
