// Cross-process mutual exclusion for background duties (the scheduler tick): a PostgreSQL session advisory lock.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Store, StoreDialect } from '../store.js';
import type { Database } from './database.js';

/** A stable signed 64-bit advisory lock key for a name (first 8 bytes of its SHA-256). */
export function advisoryLockKey(name: string): string {
  return createHash('sha256').update(`activator:${name}`).digest().readBigInt64BE(0).toString();
}

/**
 * {@link Store.runExclusive}. PostgreSQL: `pg_try_advisory_lock` on a connection reserved for the duration of
 * `work` (session locks belong to a connection, so the same one unlocks); `work` itself uses the pool. SQLite:
 * one process owns the database file (data-dir lock), so `work` always runs.
 */
export function createRunExclusive(db: Kysely<Database>, dialect: StoreDialect): Store['runExclusive'] {
  return async <T>(name: string, work: () => Promise<T>) => {
    if (dialect === 'sqlite') return { ran: true as const, value: await work() };
    const key = advisoryLockKey(name);
    return db.connection().execute(async (connection) => {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${key}::bigint) as locked`.execute(connection);
      if (rows[0]?.locked !== true) return { ran: false as const };
      try {
        return { ran: true as const, value: await work() };
      } finally {
        await sql`select pg_advisory_unlock(${key}::bigint)`.execute(connection);
      }
    });
  };
}
