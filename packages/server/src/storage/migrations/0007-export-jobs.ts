// Migration 0007: export jobs (SPEC §5.9) with integer ids that grow with every insert.
import { PostgresAdapter } from 'kysely';
import type { Kysely } from 'kysely';

/** `id` is `bigserial` on PostgreSQL and `integer primary key autoincrement` on SQLite (never reused). */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('export_jobs')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (column) => (postgres ? column.primaryKey() : column.primaryKey().autoIncrement()))
    .addColumn('sandbox_id', 'text', (column) => column.notNull().references('sandboxes.id'))
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('request', 'text', (column) => column.notNull())
    .addColumn('batch_ids', 'text', (column) => column.notNull())
    .addColumn('metrics', 'text')
    .addColumn('errors', 'text', (column) => column.notNull())
    .addColumn('segment_job_id', 'text')
    .addColumn('compute_job_id', 'text', (column) => column.notNull())
    .addColumn('request_id', 'text')
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('export_jobs_list_idx').on('export_jobs').columns(['sandbox_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('export_jobs_segment_job_idx').on('export_jobs').columns(['sandbox_id', 'segment_job_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('export_jobs').execute();
}
