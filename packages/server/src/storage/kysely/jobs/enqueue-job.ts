// SQL operation: insert a job, or — when asked for one unfinished job per subject — return the one already there.
import type { Kysely } from 'kysely';
import type { JobRecord, NewJob } from '../../store.js';
import type { Database } from '../database.js';
import { toJobRecord, uniqueKeyOf } from './job-rows.js';

/**
 * `oncePerSubject` relies on the unique `unique_key` column (cleared when the job finishes): the insert
 * does nothing on conflict and the existing row is read instead. The row can finish between the two
 * statements, hence the retry.
 */
export async function enqueueJob(db: Kysely<Database>, job: NewJob, now: number): Promise<JobRecord> {
  const uniqueKey = job.oncePerSubject === true ? uniqueKeyOf(job.kind, job.subjectId) : null;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const inserted = await db
      .insertInto('jobs')
      .values({
        kind: job.kind, subject_id: job.subjectId, sandbox_id: job.sandboxId, queue_key: job.queueKey ?? null, unique_key: uniqueKey,
        state: 'queued', attempts: 0, lease_owner: null, lease_expires_at: null, run_after: job.runAfter ?? now,
        created_at: now, updated_at: now, last_error: null,
      })
      .onConflict((conflict) => conflict.column('unique_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted !== undefined) return toJobRecord(inserted);
    if (uniqueKey === null) break;
    const existing = await db.selectFrom('jobs').selectAll().where('unique_key', '=', uniqueKey).executeTakeFirst();
    if (existing !== undefined) return toJobRecord(existing);
  }
  throw new Error(`Could not enqueue job ${job.kind} for ${job.subjectId}`);
}
