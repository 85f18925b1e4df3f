// Assembles the Store port from a Kysely instance: repositories, sandbox scoping, migrations, ping and close.
import { Migrator, sql } from 'kysely';
import type { Kysely } from 'kysely';
import { migrationProvider } from '../migrations/index.js';
import type { MigrationStatus, SandboxScopedStore, Store, StoreDialect } from '../store.js';
import { KyselyAttemptCounterRepository } from './attempt-counter-repository.js';
import { KyselyAuditRepository } from './audit-repository.js';
import { KyselyBatchRepository } from './batch-repository.js';
import { KyselyCredentialRepository } from './credential-repository.js';
import type { Database } from './database.js';
import { createKyselyJobRepository } from './jobs/kysely-job-repository.js';
import { KyselyRoleRepository } from './role-repository.js';
import { KyselySandboxRepository } from './sandbox-repository.js';
import { createRunExclusive } from './exclusive-work.js';
import { KyselyExportJobRepository } from './export-job-repository.js';
import { KyselyScopedDocumentRepository } from './scoped-document-repository.js';
import { KyselySegmentDefinitionRepository } from './segment-definition-repository.js';
import { KyselySegmentJobRepository } from './segment-job-repository.js';
import { KyselySegmentSnapshotRepository } from './segment-snapshot-repository.js';
import { KyselySegmentScheduleDirectory, KyselySegmentScheduleRepository } from './segment-schedule-repository.js';
import { KyselySessionRepository } from './session-repository.js';
import { KyselyTokenRepository } from './token-repository.js';
import { KyselyUserRepository } from './user-repository.js';

/** Thrown by `migrate()` when a migration fails; `cause` holds the database's error. */
export class MigrationFailedError extends Error {
  constructor(readonly migrationName: string | undefined, options: { cause: unknown }) {
    super(`Migration ${migrationName ?? '(setup)'} failed`, options);
    this.name = 'MigrationFailedError';
  }
}

function createMigrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: migrationProvider });
}

async function migrateToLatest(db: Kysely<Database>): Promise<readonly string[]> {
  const { error, results = [] } = await createMigrator(db).migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error');
    throw new MigrationFailedError(failed?.migrationName, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

async function readMigrationStatus(db: Kysely<Database>): Promise<readonly MigrationStatus[]> {
  const migrations = await createMigrator(db).getMigrations();
  return migrations.map((migration) => ({ name: migration.name, executedAt: migration.executedAt?.getTime() ?? null }));
}

/**
 * The store over an open Kysely instance. The store owns `db`: `close()` destroys it (closing the
 * SQLite handle or ending the pg pool). Works unchanged on both dialects; `dialect` is informative.
 */
export function createKyselyStore(db: Kysely<Database>, dialect: StoreDialect): Store {
  return {
    dialect,
    sandboxes: new KyselySandboxRepository(db),
    users: new KyselyUserRepository(db),
    credentials: new KyselyCredentialRepository(db),
    roles: new KyselyRoleRepository(db),
    tokens: new KyselyTokenRepository(db),
    sessions: new KyselySessionRepository(db),
    audit: new KyselyAuditRepository(db),
    jobs: createKyselyJobRepository(db, { supportsSkipLocked: dialect === 'postgres' }),
    attempts: new KyselyAttemptCounterRepository(db),
    segmentSchedules: new KyselySegmentScheduleDirectory(db),
    runExclusive: createRunExclusive(db, dialect),
    sandbox(sandboxId: string): SandboxScopedStore {
      return {
        sandboxId,
        documents: new KyselyScopedDocumentRepository(db, sandboxId),
        batches: new KyselyBatchRepository(db, sandboxId),
        segmentDefinitions: new KyselySegmentDefinitionRepository(db, sandboxId),
        segmentJobs: new KyselySegmentJobRepository(db, sandboxId),
        segmentSnapshots: new KyselySegmentSnapshotRepository(db, sandboxId),
        schedules: new KyselySegmentScheduleRepository(db, sandboxId),
        exportJobs: new KyselyExportJobRepository(db, sandboxId),
      };
    },
    migrate: () => migrateToLatest(db),
    migrationStatus: () => readMigrationStatus(db),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
