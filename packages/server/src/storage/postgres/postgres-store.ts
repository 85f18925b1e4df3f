// Opens the scale-out control-plane store: a pg pool behind the shared Kysely store.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../kysely/database.js';
import { createKyselyStore } from '../kysely/kysely-store.js';
import type { Store } from '../store.js';

/** Where the PostgreSQL store lives. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly connectionString: string;
  /** Pool size; default 10. */
  readonly maxConnections?: number;
}

function parseEpochMs(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} does not fit a JavaScript number`);
  return value;
}

/**
 * Type parsers for this pool only (pg's global parsers stay untouched): `bigint` (int8) columns —
 * epoch-ms times and `count(*)` — arrive as numbers, as they do from SQLite.
 */
function storeTypeParsers(): pg.CustomTypesConfig {
  const parsers = new pg.TypeOverrides();
  parsers.setTypeParser(pg.types.builtins.INT8, parseEpochMs);
  return parsers;
}

/**
 * Opens the PostgreSQL store. Connections are made lazily (use `ping()` to fail fast); migrations
 * are not applied: call `store.migrate()`.
 */
export function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    types: storeTypeParsers(),
  });
  return Promise.resolve(createKyselyStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres'));
}
