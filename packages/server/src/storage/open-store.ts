// Chooses the control-plane store from configuration: SQLite in the data dir, or PostgreSQL when a URL is set.
import path from 'node:path';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** The part of the configuration that selects the store. */
export interface StoreLocation {
  /** `postgres://…` selects PostgreSQL; undefined selects SQLite. */
  readonly databaseUrl: string | undefined;
  /** The data directory; the SQLite file is `<dataDir>/activator.db`. */
  readonly dataDir: string;
}

/** The SQLite file name inside the data directory. */
export const SQLITE_FILE_NAME = 'activator.db';

/** Opens the configured store (without migrating it). */
export function openStore(location: StoreLocation): Promise<Store> {
  return location.databaseUrl === undefined
    ? openSqliteStore({ file: path.join(location.dataDir, SQLITE_FILE_NAME) })
    : openPostgresStore({ connectionString: location.databaseUrl });
}
