// Migration 0003: attempt counters for the login and token limits (SPEC §14), one row per limit bucket.
import type { Kysely } from 'kysely';

/** `bucket` is a fixed-size key (kind, scope and a hash of the client value); `window_start` is epoch ms. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('attempt_counters')
    .addColumn('bucket', 'text', (column) => column.primaryKey())
    .addColumn('window_start', 'bigint', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('attempt_counters_window_start_idx').on('attempt_counters').column('window_start').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('attempt_counters').execute();
}
