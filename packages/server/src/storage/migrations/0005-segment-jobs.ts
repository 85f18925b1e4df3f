// Migration 0005: segment jobs (SPEC §5.6), the audiences each job evaluates, and membership snapshots (SPEC §5.7).
import type { Kysely } from 'kysely';

async function createSegmentJobs(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('segment_jobs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('sandbox_id', 'text', (column) => column.notNull().references('sandboxes.id'))
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    // JSON: the ids as requested, the resolved audiences (expression, merge policy and version at creation), metrics, errors, properties.
    .addColumn('requested', 'text', (column) => column.notNull())
    .addColumn('segments', 'text', (column) => column.notNull())
    .addColumn('metrics', 'text', (column) => column.notNull())
    .addColumn('errors', 'text', (column) => column.notNull())
    .addColumn('properties', 'text', (column) => column.notNull())
    .addColumn('request_id', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('segment_jobs_created_idx').on('segment_jobs').columns(['sandbox_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('segment_jobs_status_idx').on('segment_jobs').columns(['sandbox_id', 'status']).execute();
  // One row per (job, audience): the `segments~segmentId==<id>` filter without scanning JSON.
  await db.schema
    .createTable('segment_job_segments')
    .addColumn('job_id', 'text', (column) => column.notNull().references('segment_jobs.id').onDelete('cascade'))
    .addColumn('segment_id', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('segment_job_segments_pk', ['job_id', 'segment_id'])
    .execute();
  await db.schema.createIndex('segment_job_segments_segment_idx').on('segment_job_segments').columns(['segment_id', 'job_id']).execute();
}

async function createSegmentSnapshots(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('segment_snapshots')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('sandbox_id', 'text', (column) => column.notNull().references('sandboxes.id'))
    .addColumn('segment_id', 'text', (column) => column.notNull())
    .addColumn('job_id', 'text', (column) => column.notNull())
    .addColumn('evaluated_at', 'bigint', (column) => column.notNull())
    .addColumn('merge_policy_id', 'text', (column) => column.notNull())
    .addColumn('merge_policy_version', 'integer', (column) => column.notNull())
    .addColumn('definition_hash', 'text', (column) => column.notNull())
    .addColumn('file_path', 'text', (column) => column.notNull())
    .addColumn('realized', 'bigint', (column) => column.notNull())
    .addColumn('existing', 'bigint', (column) => column.notNull())
    .addColumn('exited', 'bigint', (column) => column.notNull())
    .addColumn('by_namespace', 'text', (column) => column.notNull())
    .addColumn('visible_at', 'bigint')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('segment_snapshots_latest_idx').on('segment_snapshots').columns(['sandbox_id', 'segment_id', 'visible_at']).execute();
  await db.schema.createIndex('segment_snapshots_job_idx').on('segment_snapshots').columns(['sandbox_id', 'job_id']).execute();
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await createSegmentJobs(db);
  await createSegmentSnapshots(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('segment_snapshots').execute();
  await db.schema.dropTable('segment_job_segments').execute();
  await db.schema.dropTable('segment_jobs').execute();
}
