// One in-process DuckDB per engine: UTC, bounded memory and threads, spill to tmp/, a connection per unit of work.
import { mkdirSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

/** Limits every connection runs with (DESIGN.md: UTC always; memory and threads from the config). */
export interface DuckDbSettings {
  readonly memoryLimitMb: number;
  readonly threads: number;
  /** Where DuckDB spills when a query exceeds its memory. */
  readonly tempDirectory: string;
  /**
   * Cache Parquet footers (default true: lookups re-read the same small files). The export instance turns it off: an
   * export reads each shard once, and at 10M profiles the cached footers held ~90 MB outside the memory limit.
   */
  readonly parquetMetadataCache?: boolean;
}

/** A row as plain JavaScript values (BIGINT → bigint, TIMESTAMP → Date, LIST → array, STRUCT → object). */
export type EngineRow = Record<string, unknown>;

/** A DuckDB instance with the project's settings; hand out connections with {@link DuckDbDatabase.withConnection}. */
export class DuckDbDatabase {
  private constructor(private readonly instance: DuckDBInstance) {}

  static async open(settings: DuckDbSettings): Promise<DuckDbDatabase> {
    mkdirSync(settings.tempDirectory, { recursive: true });
    // Extensions cannot be downloaded on our machines: refuse autoinstall so a missing one fails fast and clearly.
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: `${settings.memoryLimitMb}MB`,
      threads: String(settings.threads),
      temp_directory: settings.tempDirectory,
      autoinstall_known_extensions: 'false',
    });
    // Parquet footers are cached (keyed by path and mtime): lake parts and derived tables are immutable, and a profile
    // lookup reads a few row groups of several derived files, where parsing their footers would dominate. (A setting
    // of the Parquet extension, so it is set once it is loaded rather than at creation.)
    const connection = await instance.connect();
    try {
      await connection.run(`SET GLOBAL parquet_metadata_cache = ${settings.parquetMetadataCache ?? true}`);
    } finally {
      connection.closeSync();
    }
    return new DuckDbDatabase(instance);
  }

  /** Runs `work` on a fresh connection that is closed afterwards, whatever happens. */
  async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.instance.connect();
    try {
      // ICU is statically linked but only loaded once the instance exists, so the zone is set per connection.
      await connection.run("SET TimeZone = 'UTC'");
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  }

  /** One statement with bound parameters (`$1`, `$2`, …), rows as JavaScript values. */
  query(sql: string, parameters: readonly DuckDBValue[] = []): Promise<EngineRow[]> {
    return this.withConnection(async (connection) => (await connection.runAndReadAll(sql, [...parameters])).getRowObjectsJS());
  }

  close(): void {
    this.instance.closeSync();
  }
}
