// The `jobs` row as the port's JobRecord, and the one capability the dialects differ in.
import type { Selectable } from 'kysely';
import type { JobRecord, JobState } from '../../store.js';
import type { JobsTable } from '../database.js';

/** What the job SQL needs to know about the database it runs on. */
export interface JobDialect {
  /**
   * PostgreSQL: the claim locks its candidate with `FOR UPDATE SKIP LOCKED`, so concurrent claimers pass
   * over each other's rows. SQLite has no row locks: one UPDATE statement holds the database's write lock
   * from its first read to its commit, which serialises claims across connections on its own.
   */
  readonly supportsSkipLocked: boolean;
}

/** States in which a job still has to run. */
export const UNFINISHED_STATES: readonly JobState[] = ['queued', 'running'];

/** The key that makes `oncePerSubject` enqueues unique while the job is unfinished. */
export function uniqueKeyOf(kind: string, subjectId: string): string {
  return `${kind}:${subjectId}`;
}

export function toJobRecord(row: Selectable<JobsTable>): JobRecord {
  return {
    id: Number(row.id),
    kind: row.kind,
    subjectId: row.subject_id,
    sandboxId: row.sandbox_id,
    queueKey: row.queue_key,
    state: row.state,
    attempts: row.attempts,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at === null ? null : Number(row.lease_expires_at),
    runAfter: Number(row.run_after),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastError: row.last_error,
  };
}
