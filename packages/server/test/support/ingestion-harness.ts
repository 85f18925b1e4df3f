// Test helper: runs DuckDbIngestionEngine on files written from strings/bytes and reads back the lake and the error files.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { IngestResult } from '../../src/engine/engine.js';
import { DuckDbDatabase } from '../../src/engine/duckdb/duckdb-database.js';
import { DuckDbIngestionEngine } from '../../src/engine/duckdb/duckdb-ingestion.js';
import { lakeRowsSql } from '../../src/engine/duckdb/lake-sources-sql.js';
import type { DatasetSchema, FieldType, InputFormat, ScalarFieldType, SchemaField } from '../../src/engine/lake-schema.js';

/** One uploaded file: text or bytes, optionally gzip-compressed before staging; or an existing file (Parquet fixtures). */
export type HarnessFile = { readonly name: string; readonly content: string | Buffer; readonly gzip?: boolean } | { readonly name: string; readonly path: string };

export interface IngestOptions {
  readonly schema: DatasetSchema;
  readonly format: InputFormat;
  readonly files: readonly HarnessFile[];
  readonly errorThreshold?: number;
  /** Epoch ms; default 2025-01-01T00:00:00Z. */
  readonly completedAt?: number;
  readonly batchId?: string;
}

export interface IngestOutcome {
  readonly result: IngestResult;
  readonly lakeDir: string;
  readonly lakeExists: boolean;
  /** Part files in the lake directory, sorted. */
  readonly parts: readonly string[];
  /** Lake rows as readers see them, in DuckDB's JSON form (BIGINT as string, TIMESTAMP as `YYYY-MM-DD HH:MM:SS[.fff]`), by `"$file"`, `"$row"`. */
  readonly rows: readonly Record<string, unknown>[];
  /** `column → DuckDB type` of the lake as readers see it (declared fields and system columns). */
  readonly columns: Readonly<Record<string, string>>;
  /** `column → DuckDB type` of the part files themselves (what ingestion wrote). */
  readonly physicalColumns: Readonly<Record<string, string>>;
  readonly errorLines: readonly Record<string, unknown>[];
  readonly rejectedLines: readonly Record<string, unknown>[];
  readonly tmpLeftovers: readonly string[];
}

export const COMPLETED_AT = Date.UTC(2025, 0, 1);

/** A DuckDB database, an engine and a scratch root; `close()` removes everything. */
export class IngestionHarness {
  private counter = 0;

  private constructor(
    readonly db: DuckDbDatabase,
    readonly engine: DuckDbIngestionEngine,
    readonly root: string,
  ) {}

  /** `maxRecordBytes`: the engine's record limit (default: the product's default). */
  static async open(options: { readonly maxRecordBytes?: number; readonly memoryLimitMb?: number } = {}): Promise<IngestionHarness> {
    const root = mkdtempSync(path.join(os.tmpdir(), 'activator-ingest-'));
    const db = await DuckDbDatabase.open({ memoryLimitMb: options.memoryLimitMb ?? 512, threads: 2, tempDirectory: path.join(root, 'spill') });
    const engine = new DuckDbIngestionEngine(db, options.maxRecordBytes === undefined ? {} : { maxRecordBytes: options.maxRecordBytes });
    return new IngestionHarness(db, engine, root);
  }

  close(): void {
    this.db.close();
    rmSync(this.root, { recursive: true, force: true });
  }

  /** A path under the scratch root for fixtures (e.g. Parquet written with DuckDB). */
  fixturePath(name: string): string {
    const dir = path.join(this.root, 'fixtures');
    mkdirSync(dir, { recursive: true });
    return path.join(dir, name);
  }

  /** Writes `select` to a Parquet fixture with DuckDB itself and returns its path. */
  async parquetFixture(name: string, select: string): Promise<string> {
    const target = this.fixturePath(name);
    await this.db.query(`COPY (${select}) TO '${target.replaceAll("'", "''")}' (FORMAT parquet)`);
    return target;
  }

  async ingest(options: IngestOptions): Promise<IngestOutcome> {
    const id = `batch${++this.counter}`;
    const base = path.join(this.root, id);
    const staged = path.join(base, 'staged');
    mkdirSync(staged, { recursive: true });
    const files = options.files.map((file, index) => {
      if ('path' in file) return { name: file.name, path: file.path };
      const target = path.join(staged, `${index}`);
      const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
      writeFileSync(target, file.gzip ? gzipSync(bytes) : bytes);
      return { name: file.name, path: target };
    });
    const lakeDir = path.join(base, 'lake', 'sandbox', 'dataset', options.batchId ?? id);
    const errorsDir = path.join(base, 'errors');
    const tmpDir = path.join(base, 'tmp');
    const result = await this.engine.ingest({
      sandboxId: 'sandbox',
      datasetId: 'dataset',
      batchId: options.batchId ?? id,
      schema: options.schema,
      format: options.format,
      files,
      errorThreshold: options.errorThreshold,
      completedAt: options.completedAt ?? COMPLETED_AT,
      lakeDir,
      errorsDir,
      tmpDir,
    });
    const lakeExists = existsSync(lakeDir);
    const parts = lakeExists ? readdirSync(lakeDir).sort() : [];
    const glob = `'${path.join(lakeDir, '*.parquet').replaceAll("'", "''")}'`;
    // The lake as its readers see it (lake-sources-sql.ts derives what parts leave out), without the scope ordinals.
    const dataset = { id: 'dataset', schema: options.schema, batchDirs: [lakeDir] };
    const logical = parts.length > 0 ? await this.db.withConnection((connection) => lakeRowsSql(connection, dataset)) : undefined;
    const select = `SELECT * EXCLUDE ("$batch", "$batch_id", "$fid", "$rn") FROM (${logical})`;
    const rows = logical ? await this.jsonRows(`${select} ORDER BY "$file", "$row"`) : [];
    const columns = logical ? await this.describe(select) : {};
    return {
      result,
      lakeDir,
      lakeExists,
      parts,
      rows,
      columns,
      physicalColumns: parts.length > 0 ? await this.describe(`SELECT * FROM read_parquet(${glob}, union_by_name = true)`) : {},
      errorLines: readNdjson(path.join(errorsDir, 'errors.ndjson')),
      rejectedLines: readNdjson(path.join(errorsDir, 'rejected.ndjson')),
      tmpLeftovers: existsSync(tmpDir) ? readdirSync(tmpDir) : [],
    };
  }

  private async describe(select: string): Promise<Record<string, string>> {
    const described = await this.db.query(`DESCRIBE ${select}`);
    return Object.fromEntries(described.map((row) => [String(row['column_name']), String(row['column_type'])]));
  }

  /** Rows in DuckDB's JSON form (what the tests compare against hand-written expectations). */
  async jsonRows(sql: string): Promise<Record<string, unknown>[]> {
    return this.db.withConnection(async (connection) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]);
  }
}

function readNdjson(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) throw new Error(`${file} was not written`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A schema field with defaults (`required: false`). */
export function field(fieldPath: string, type: FieldType, options: { readonly required?: boolean; readonly items?: ScalarFieldType } = {}): SchemaField {
  return { path: fieldPath, type, required: options.required ?? false, ...(options.items ? { items: options.items } : {}) };
}

/** The CRM profile schema of SPEC §3.2 (crmId primary CRMID, required; email an Email identity). */
export const CRM_SCHEMA: DatasetSchema = {
  class: 'profile',
  fields: [
    field('crmId', 'string', { required: true }),
    field('person.name.firstName', 'string'),
    field('person.name.lastName', 'string'),
    field('personalEmail.address', 'string'),
    field('homeAddress.countryCode', 'string'),
    field('loyalty.points', 'integer'),
    field('loyalty.tier', 'string'),
    field('preferences.channels', 'array', { items: 'string' }),
    field('updatedAt', 'date-time'),
  ],
  identities: [
    { path: 'crmId', namespace: 'CRMID', primary: true },
    { path: 'personalEmail.address', namespace: 'Email', primary: false },
  ],
  timestampField: 'updatedAt',
};

/** Picks `keys` of each row (for compact expectations). */
export function pick(rows: readonly Record<string, unknown>[], ...keys: string[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(keys.map((key) => [key, row[key]])));
}

/** `file:row:code` of each failed row, for compact expectations. */
export function failures(outcome: IngestOutcome): string[] {
  return outcome.result.failedRows.map((row) => `${row.file}:${row.row}:${row.code}${row.field === undefined ? '' : `:${row.field}`}`);
}
