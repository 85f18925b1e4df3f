// Migration 0001: the foundation tables (sandboxes, access control, tokens, sessions, audit log, scoped documents).
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Written only with the dialect-neutral schema builder: every statement is valid on SQLite and PostgreSQL 15.
// Times are `bigint` epoch ms, booleans `integer` 0/1, structured values JSON `text`.

async function createAccessControlTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('email', 'text', (column) => column.notNull().unique())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('password_hash', 'text', (column) => column.notNull())
    .addColumn('admin', 'integer', (column) => column.notNull())
    .addColumn('disabled', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('last_login_at', 'bigint')
    .execute();
  await db.schema
    .createTable('credentials')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('client_id', 'text', (column) => column.notNull().unique())
    .addColumn('secret_hash', 'text', (column) => column.notNull())
    .addColumn('admin', 'integer', (column) => column.notNull())
    .addColumn('disabled', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema
    .createTable('roles')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull().unique())
    .addColumn('description', 'text', (column) => column.notNull())
    .addColumn('permissions', 'text', (column) => column.notNull())
    .addColumn('sandboxes', 'text', (column) => column.notNull())
    .addColumn('built_in', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  // user_roles.holder_id → users.id, credential_roles.holder_id → credentials.id: one shape, one code path.
  for (const [table, holderTable] of [
    ['user_roles', 'users'],
    ['credential_roles', 'credentials'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('holder_id', 'text', (column) => column.notNull().references(`${holderTable}.id`).onDelete('cascade'))
      .addColumn('role_id', 'text', (column) => column.notNull().references('roles.id').onDelete('cascade'))
      .addColumn('position', 'integer', (column) => column.notNull())
      .addPrimaryKeyConstraint(`${table}_pkey`, ['holder_id', 'role_id'])
      .execute();
    await db.schema.createIndex(`${table}_role_id_idx`).on(table).column('role_id').execute();
  }
}

async function createAuthenticationTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('access_tokens')
    .addColumn('token_hash', 'text', (column) => column.primaryKey())
    .addColumn('credential_id', 'text', (column) => column.notNull().references('credentials.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('access_tokens_credential_id_idx').on('access_tokens').column('credential_id').execute();
  await db.schema.createIndex('access_tokens_expires_at_idx').on('access_tokens').column('expires_at').execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_id_idx').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expires_at_idx').on('sessions').column('expires_at').execute();
}

async function createAuditLog(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('time', 'bigint', (column) => column.notNull())
    .addColumn('actor_type', 'text', (column) => column.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (column) => column.notNull())
    .addColumn('sandbox', 'text')
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('object_type', 'text')
    .addColumn('object_id', 'text')
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('request_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('details', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('audit_log_time_idx').on('audit_log').columns(['time', 'id']).execute();
  await db.schema.createIndex('audit_log_sandbox_idx').on('audit_log').columns(['sandbox', 'time']).execute();
  await db.schema.createIndex('audit_log_action_idx').on('audit_log').columns(['action', 'time']).execute();
}

async function createSandboxesAndDocuments(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sandboxes')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('is_default', 'integer', (column) => column.notNull())
    .addColumn('etag', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('updated_by', 'text', (column) => column.notNull())
    .execute();
  // Index predicates are emitted as literals (`state <> 'deleted'`), which both dialects require.
  await db.schema
    .createIndex('sandboxes_live_name_key')
    .on('sandboxes')
    .column('name')
    .unique()
    .where(sql.ref('state'), '<>', 'deleted')
    .execute();
  await db.schema
    .createTable('scoped_documents')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('sandbox_id', 'text', (column) => column.notNull().references('sandboxes.id'))
    .addColumn('collection', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('etag', 'text', (column) => column.notNull())
    .addColumn('data', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('updated_by', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('scoped_documents_listing_idx')
    .on('scoped_documents')
    .columns(['sandbox_id', 'collection', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('scoped_documents_name_idx')
    .on('scoped_documents')
    .columns(['sandbox_id', 'collection', 'name'])
    .execute();
}

/** Creates every foundation table and index. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createAccessControlTables(db);
  await createAuthenticationTables(db);
  await createAuditLog(db);
  await createSandboxesAndDocuments(db);
}

/** Drops the foundation tables, dependants first. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'scoped_documents',
    'sandboxes',
    'audit_log',
    'sessions',
    'access_tokens',
    'credential_roles',
    'user_roles',
    'roles',
    'credentials',
    'users',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
