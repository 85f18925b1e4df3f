// Migration 0002: batches get their own table, durable jobs (lease/claim/heartbeat) get theirs; batch documents move over.
import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';

// Dialect-neutral except the jobs id: it must grow with every insert (jobs of one queue run in id order),
// which is `bigserial` on PostgreSQL and `integer primary key autoincrement` on SQLite.

async function createBatches(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('batches')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('sandbox_id', 'text', (column) => column.notNull().references('sandboxes.id'))
    .addColumn('dataset_id', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('input_format', 'text', (column) => column.notNull())
    .addColumn('error_threshold', 'double precision')
    .addColumn('etag', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('details', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('batches_dataset_idx').on('batches').columns(['sandbox_id', 'dataset_id', 'created_at']).execute();
  await db.schema.createIndex('batches_status_idx').on('batches').columns(['sandbox_id', 'status', 'completed_at']).execute();
  await db.schema.createIndex('batches_created_idx').on('batches').columns(['sandbox_id', 'created_at', 'id']).execute();
}

async function createJobs(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('jobs')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (column) => (postgres ? column.primaryKey() : column.primaryKey().autoIncrement()))
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull())
    .addColumn('sandbox_id', 'text')
    .addColumn('queue_key', 'text')
    // `<kind>:<subject>` while an enqueue asked for one unfinished job per subject; null otherwise and once finished.
    .addColumn('unique_key', 'text', (column) => column.unique())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('run_after', 'bigint', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('jobs_due_idx').on('jobs').columns(['state', 'kind', 'id']).execute();
  // The queue gate asks for an earlier unfinished job of the same queue: (queue_key, state) narrows it to the few unfinished ones.
  await db.schema.createIndex('jobs_queue_idx').on('jobs').columns(['queue_key', 'state', 'id']).execute();
  await db.schema.createIndex('jobs_subject_idx').on('jobs').columns(['kind', 'subject_id', 'id']).execute();
}

interface BatchDocumentRow {
  id: string;
  sandbox_id: string;
  data: string;
  etag: string;
  created_at: number | string;
  updated_at: number | string;
  created_by: string;
}

/**
 * Batches kept as `scoped_documents` (collection `batches`) before this migration move to the table. A batch
 * that was `processing` gets an `ingest-batch` job whose lease has already expired, so the first worker that
 * starts takes it over exactly as it would any other cut-off ingestion.
 */
async function moveBatchDocuments(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<BatchDocumentRow>`select id, sandbox_id, data, etag, created_at, updated_at, created_by from scoped_documents where collection = 'batches' order by created_at, id`.execute(db);
  for (const row of rows) {
    const { datasetId, status, inputFormat, errorThreshold, completedAt, ...details } = JSON.parse(row.data) as Record<string, unknown>;
    const createdAt = Number(row.created_at);
    const updatedAt = Number(row.updated_at);
    await sql`insert into batches (id, sandbox_id, dataset_id, status, input_format, error_threshold, etag, created_at, updated_at, completed_at, created_by, details)
      values (${row.id}, ${row.sandbox_id}, ${String(datasetId)}, ${String(status)}, ${String(inputFormat)}, ${typeof errorThreshold === 'number' ? errorThreshold : null},
              ${row.etag}, ${createdAt}, ${updatedAt}, ${typeof completedAt === 'number' ? completedAt : null}, ${row.created_by}, ${JSON.stringify(details)})`.execute(db);
    if (status === 'processing') {
      await sql`insert into jobs (kind, subject_id, sandbox_id, queue_key, unique_key, state, attempts, lease_owner, lease_expires_at, run_after, created_at, updated_at)
        values ('ingest-batch', ${row.id}, ${row.sandbox_id}, ${`${row.sandbox_id}/${String(datasetId)}`}, ${`ingest-batch:${row.id}`}, 'running', 1, 'before-0002', 0, ${updatedAt}, ${updatedAt}, ${updatedAt})`.execute(db);
    }
  }
  await sql`delete from scoped_documents where collection = 'batches'`.execute(db);
}

/** Creates `batches` and `jobs`, then moves the batch documents into `batches`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createBatches(db);
  await createJobs(db);
  await moveBatchDocuments(db);
}

/** Drops both tables (batches are not moved back: run it only on a database without batches to keep). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('jobs').execute();
  await db.schema.dropTable('batches').execute();
}
