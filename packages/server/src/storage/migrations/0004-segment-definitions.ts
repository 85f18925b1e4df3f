// Migration 0004: segment definitions (audiences, SPEC §5.1) and the inSegment references between them.
import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * `name_key` is the case-folded name: unique per sandbox, and the sort key of the name order. On PostgreSQL it
 * uses the "C" collation so names sort by code point exactly as on SQLite. `dependencies` and `fields` are JSON
 * arrays of strings; the references also go to `segment_references` so "who references X" is an index lookup.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('segment_definitions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('sandbox_id', 'text', (column) => column.notNull().references('sandboxes.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('name_key', 'text', (column) => (postgres ? column.notNull().modifyEnd(sql`collate "C"`) : column.notNull()))
    .addColumn('description', 'text')
    .addColumn('expression', 'text', (column) => column.notNull())
    .addColumn('merge_policy_id', 'text', (column) => column.notNull())
    .addColumn('lifecycle_state', 'text', (column) => column.notNull())
    .addColumn('evaluation_info', 'text', (column) => column.notNull())
    .addColumn('dependencies', 'text', (column) => column.notNull())
    .addColumn('fields', 'text', (column) => column.notNull())
    .addColumn('etag', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('updated_by', 'text', (column) => column.notNull())
    .addUniqueConstraint('segment_definitions_name_key', ['sandbox_id', 'name_key'])
    .execute();
  await db.schema.createIndex('segment_definitions_created_idx').on('segment_definitions').columns(['sandbox_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('segment_definitions_updated_idx').on('segment_definitions').columns(['sandbox_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('segment_definitions_policy_idx').on('segment_definitions').columns(['sandbox_id', 'merge_policy_id']).execute();
  await db.schema
    .createTable('segment_references')
    .addColumn('segment_id', 'text', (column) => column.notNull().references('segment_definitions.id').onDelete('cascade'))
    .addColumn('sandbox_id', 'text', (column) => column.notNull())
    .addColumn('referenced_id', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('segment_references_pkey', ['segment_id', 'referenced_id'])
    .execute();
  await db.schema.createIndex('segment_references_referenced_idx').on('segment_references').columns(['sandbox_id', 'referenced_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('segment_references').execute();
  await db.schema.dropTable('segment_definitions').execute();
}
