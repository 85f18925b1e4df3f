// Migration 0006: the batch segmentation schedule of each sandbox (SPEC §5.8); live sandboxes get theirs now.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/** What a sandbox created before this migration gets (SPEC §5.8 defaults: 01:00 UTC daily, every published audience). */
export const PRE_EXISTING_SANDBOX_SCHEDULE = { name: 'profile-default', cron: '0 0 1 * * ?', segments: ['*'] } as const;

/** `sandbox_id` is unique: one schedule per sandbox, enforced by the database against concurrent creates. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('segment_schedules')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('sandbox_id', 'text', (column) => column.notNull().unique().references('sandboxes.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('segments', 'text', (column) => column.notNull())
    .addColumn('cron', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('fired_through', 'bigint', (column) => column.notNull())
    .addColumn('last_fired_at', 'bigint')
    .addColumn('last_run_id', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('updated_by', 'text', (column) => column.notNull())
    .execute();
  await createForExistingSandboxes(db);
}

/**
 * Sandboxes created before this migration never ran the creation hook that makes their schedule, so they get
 * the SPEC default here (`ACTIVATOR_DEFAULT_SEGMENTATION_CRON` applies to sandboxes created from now on).
 * Occurrences before the migration are handled: the first firing is the next occurrence, not a catch-up.
 */
async function createForExistingSandboxes(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ id: string }>`select id from sandboxes where state <> 'deleted' order by id`.execute(db);
  const now = Date.now();
  const { name, cron, segments } = PRE_EXISTING_SANDBOX_SCHEDULE;
  for (const row of rows) {
    await sql`insert into segment_schedules (id, sandbox_id, name, type, segments, cron, state, fired_through, last_fired_at, last_run_id, created_at, updated_at, created_by, updated_by)
      values (${randomUUID()}, ${row.id}, ${name}, 'batch_segmentation', ${JSON.stringify(segments)}, ${cron}, 'active', ${now}, ${null}, ${null}, ${now}, ${now}, 'system', 'system')`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('segment_schedules').execute();
}
