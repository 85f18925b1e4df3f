// A small ExportEngine for pipeline tests: writes real staged files (CSV, optionally gzip) from given rows, split at
// maxFileRowCount like the real engine, so the pipeline's streaming, naming and cleanup run on real files.
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { AudienceExportRequest, AudienceExportResult, ExportEngine } from '../../src/engine/engine.js';

/** A row keyed by column name (missing = null value). */
export type TestRow = Readonly<Record<string, string>>;

/** The CSV text of rows with a header line, `,`-separated, quoting values with `,` or `"` (fixtures avoid both). */
export function csvOf(columns: readonly string[], rows: readonly TestRow[]): string {
  return [columns.join(','), ...rows.map((row) => columns.map((column) => row[column] ?? '').join(','))].map((line) => `${line}\n`).join('');
}

export interface StagingEngineOptions {
  readonly rows: readonly TestRow[];
  /** Thrown instead of writing (an engine failure). */
  readonly failWith?: Error;
  /** Called once the files are staged (tests abort a run from here). */
  readonly afterStaging?: (request: AudienceExportRequest) => void;
}

/** The engine, plus the requests it received and the work directories it wrote into. */
export function createStagingExportEngine(options: StagingEngineOptions): ExportEngine & { readonly requests: AudienceExportRequest[] } {
  const requests: AudienceExportRequest[] = [];
  return {
    requests,
    async exportAudience(request: AudienceExportRequest): Promise<AudienceExportResult> {
      requests.push(request);
      if (options.failWith !== undefined) throw options.failWith;
      const names = request.columns.map((column) => column.name);
      const gzip = request.format.compression === 'GZIP';
      const files: { path: string; rows: number; bytes: number }[] = [];
      const chunks: TestRow[][] = [];
      for (let start = 0; start < options.rows.length || chunks.length === 0; start += request.maxFileRowCount) {
        chunks.push(options.rows.slice(start, start + request.maxFileRowCount));
      }
      for (const [index, rows] of chunks.entries()) {
        const file = path.join(request.workDir, `part-${String(index + 1).padStart(5, '0')}.csv${gzip ? '.gz' : ''}`);
        const text = Readable.from([Buffer.from(csvOf(names, rows))]);
        await (gzip ? pipeline(text, createGzip(), createWriteStream(file)) : pipeline(text, createWriteStream(file)));
        files.push({ path: file, rows: rows.length, bytes: (await stat(file)).size });
      }
      options.afterStaging?.(request);
      return { inputRecordCount: options.rows.length + 2, skippedRecordCount: 2, deduplicatedRowCount: 0, outputRecordCount: options.rows.length, files, inputBytes: 4096, inputFileCount: 3 };
    },
  };
}
