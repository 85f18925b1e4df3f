// Migration 0002 on a database that already holds batches as documents: they move to `batches`, a cut-off one gets an expired job.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgres, type TestPostgres } from '../../../test/support/with-postgres.js';
import { openPostgresStore } from '../postgres/postgres-store.js';
import { openSqliteStore } from '../sqlite/sqlite-store.js';
import type { Store } from '../store.js';
import { migrationProvider } from './index.js';

const T0 = 1_750_000_000_000;

/** Brings a database to 0001 and writes what the 0001-era code kept: a sandbox, two batch documents, one flow. */
async function seedAtFoundation(db: Kysely<unknown>): Promise<void> {
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo('0001-foundation');
  if (error !== undefined) throw error as Error;
  await sql`insert into sandboxes (id, name, title, state, type, is_default, etag, created_at, updated_at, created_by, updated_by)
    values ('sb-1', 'prod', 'Prod', 'active', 'production', 1, 1, ${T0}, ${T0}, 'system', 'system')`.execute(db);
  const document = (id: string, data: unknown, at: number) =>
    sql`insert into scoped_documents (id, sandbox_id, collection, name, etag, data, created_at, updated_at, created_by, updated_by)
      values (${id}, 'sb-1', ${id.startsWith('flow') ? 'flows' : 'batches'}, 'ds-1', '"e-1"', ${JSON.stringify(data)}, ${at}, ${at + 5}, 'ana@example.com', 'ana@example.com')`.execute(db);
  await document('01BATCHDONE', {
    datasetId: 'ds-1', status: 'success', inputFormat: 'csv', errorThreshold: 5, completedAt: T0 + 5, files: [{ name: 'a.csv', size: 10, records: 2 }],
    metrics: { inputRecordCount: 2, outputRecordCount: 2, failedRecordCount: 0, inputByteSize: 10 }, errorCounts: {}, failedRows: [],
  }, T0);
  await document('01BATCHCUT', { datasetId: 'ds-1', status: 'processing', inputFormat: 'json', files: [] }, T0 + 100);
  await document('flow-1', { anything: true }, T0);
}

async function expectMoved(store: Store): Promise<void> {
  // Every migration after the foundation runs, 0002 first (later migrations are listed by the store contract test).
  const after = Object.keys(await migrationProvider.getMigrations()).filter((name) => name > '0001-foundation').sort();
  expect(after[0]).toBe('0002-batches-and-jobs');
  expect(await store.migrate()).toEqual(after);
  const batches = store.sandbox('sb-1').batches;
  expect(await batches.get('01BATCHDONE')).toEqual({
    id: '01BATCHDONE', datasetId: 'ds-1', status: 'success', inputFormat: 'csv', errorThreshold: 5, etag: '"e-1"', createdAt: T0, updatedAt: T0 + 5,
    completedAt: T0 + 5, createdBy: 'ana@example.com',
    details: { files: [{ name: 'a.csv', size: 10, records: 2 }], metrics: { inputRecordCount: 2, outputRecordCount: 2, failedRecordCount: 0, inputByteSize: 10 }, errorCounts: {}, failedRows: [] },
  });
  expect(await batches.get('01BATCHCUT')).toMatchObject({ status: 'processing', inputFormat: 'json', errorThreshold: null, completedAt: null, details: { files: [] } });
  expect(await store.sandbox('sb-1').documents.count('batches')).toBe(0);
  expect(await store.sandbox('sb-1').documents.count('flows')).toBe(1);
  const job = await store.jobs.findLatest('ingest-batch', '01BATCHCUT');
  expect(job).toMatchObject({ state: 'running', sandboxId: 'sb-1', queueKey: 'sb-1/ds-1', attempts: 1 });
  expect((await store.jobs.findExpired(T0)).map((expired) => expired.subjectId)).toEqual(['01BATCHCUT']);
  expect(await store.jobs.findLatest('ingest-batch', '01BATCHDONE')).toBeUndefined();
}

describe('migration 0002 moves batch documents into the batches table', () => {
  it('on SQLite', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'activator-0002-'));
    try {
      const file = path.join(directory, 'activator.db');
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Sqlite(file) }) });
      await seedAtFoundation(db);
      await db.destroy();
      const store = await openSqliteStore({ file });
      try {
        await expectMoved(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  const availability = postgresAvailability();
  describe.skipIf(!availability.ok)(`on PostgreSQL${availability.ok ? '' : ` — skipped: ${availability.reason}`}`, () => {
    let server: TestPostgres | undefined;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(async () => server?.stop());

    it('on PostgreSQL', async () => {
      const url = await (server as TestPostgres).createDatabase();
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
      await seedAtFoundation(db);
      await db.destroy();
      const store = await openPostgresStore({ connectionString: url });
      try {
        await expectMoved(store);
      } finally {
        await store.close();
      }
    });
  });
});
