// Opens the embedded control-plane store: a better-sqlite3 file in WAL mode behind the shared Kysely store.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../kysely/database.js';
import { createKyselyStore } from '../kysely/kysely-store.js';
import type { Store } from '../store.js';

/** Where the SQLite store lives. */
export interface SqliteStoreOptions {
  /** A file path (its directory is created when missing) or `':memory:'`. */
  readonly file: string;
  /** How long a writer waits for another connection's lock before failing; default 5 s. */
  readonly busyTimeoutMs?: number;
}

const IN_MEMORY = ':memory:';

/** Opens a better-sqlite3 connection with the pragmas the store relies on. */
function openConnection(options: SqliteStoreOptions): Sqlite.Database {
  if (options.file !== IN_MEMORY) mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const connection = new Sqlite(options.file);
  try {
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
    connection.pragma('foreign_keys = ON');
    connection.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  } catch (error) {
    connection.close();
    throw error;
  }
  return connection;
}

/**
 * Opens (creating if needed) the SQLite store. Migrations are not applied: call `store.migrate()`.
 * One process should own the file; other readers are safe thanks to WAL.
 */
export function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const database = openConnection(options);
  return Promise.resolve(createKyselyStore(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), 'sqlite'));
}
