// Test helper for audience exports: a small lake (lake-fixtures.ts), snapshots written by hand, an export engine on its
// own DuckDB instance, and readers of the files that are not the code under test (DuckDB's readers, node:zlib).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDbExportEngine } from '../../src/engine/duckdb/audience-export.js';
import { DuckDbDatabase } from '../../src/engine/duckdb/duckdb-database.js';
import { DuckDbProfileEngine } from '../../src/engine/duckdb/duckdb-profiles.js';
import type { AudienceExportRequest, ExportCsvOptions, ExportFileFormat, MergeRules, ProfileScope, SnapshotRow } from '../../src/engine/engine.js';
import { literal, type FixtureDataset } from './lake-fixtures.js';

export const DEFAULT_CSV: ExportCsvOptions = { delimiter: ',', quote: '"', escape: '\\', nullValue: '', emptyValue: '', header: true, quoteAll: false };
export const CSV: ExportFileFormat = { fileType: 'CSV', compression: 'NONE', csv: DEFAULT_CSV };

export interface ExportWorld {
  readonly tmp: string;
  readonly lake: string;
  readonly db: DuckDbDatabase;
  readonly exportDb: DuckDbDatabase;
  readonly engine: DuckDbExportEngine;
  /** The profile engine on `db` (lookups give independent expected values). */
  readonly profiles: DuckDbProfileEngine;
  scope(datasets: readonly FixtureDataset[], rules: MergeRules, events?: readonly FixtureDataset[]): ProfileScope;
  /** Writes a snapshot file (rows sorted by key) and returns its path. */
  snapshot(name: string, rows: readonly { profileKey: string; status: SnapshotRow['status']; at: string }[]): Promise<string>;
  /** A fresh empty work directory. */
  workDir(): string;
  close(): void;
}

export async function openExportWorld(prefix: string, exportMemoryMb = 256): Promise<ExportWorld> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `activator-${prefix}-`));
  const db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
  const exportDb = await DuckDbDatabase.open({ memoryLimitMb: exportMemoryMb, threads: 2, tempDirectory: path.join(tmp, 'spill-export'), parquetMetadataCache: false });
  const profiles = new DuckDbProfileEngine(db);
  let works = 0;
  return {
    tmp,
    lake: path.join(tmp, 'lake'),
    db,
    exportDb,
    engine: new DuckDbExportEngine(exportDb, profiles),
    profiles,
    scope: (datasets, rules, events = []) => ({ sandboxId: 'sb', profileDatasets: datasets, eventDatasets: events, rules, derivedDir: path.join(tmp, 'derived') }),
    async snapshot(name, rows) {
      const file = path.join(tmp, `${name}.parquet`);
      const values = rows.map((row) => `(${literal(row.profileKey)}, ${literal(row.status)}, TIMESTAMP ${literal(row.at)})`);
      const body = values.length === 0 ? `SELECT NULL::VARCHAR, NULL::VARCHAR, NULL::TIMESTAMP WHERE false` : `SELECT * FROM (VALUES ${values.join(', ')})`;
      await db.query(`COPY (SELECT * FROM (${body}) AS t("profileKey", "status", "lastQualificationTime") ORDER BY 1) TO '${file}' (FORMAT parquet)`);
      return file;
    },
    workDir: () => path.join(tmp, `work-${++works}`),
    close() {
      exportDb.close();
      db.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** A request with defaults: CSV with the default options, no dedup, no mandatory field, one file per 1,000 rows. */
export function exportRequest(world: ExportWorld, request: Partial<AudienceExportRequest> & Pick<AudienceExportRequest, 'scope' | 'snapshot' | 'columns'>): AudienceExportRequest {
  return { audienceId: 'seg-1', includeExpired: false, mandatory: [], dedupKey: [], format: CSV, maxFileRowCount: 1_000, workDir: world.workDir(), ...request };
}

/** A staged file's text, gunzipped by node:zlib when the name ends with `.gz`. */
export function fileText(file: string): string {
  const bytes = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** The data lines of a CSV text written with the default options and header (naive split: test values hold no comma). */
export function csvRows(text: string): string[][] {
  return text
    .split('\n')
    .slice(1, -1)
    .map((line) => line.split(','));
}
