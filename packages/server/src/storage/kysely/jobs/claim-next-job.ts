// SQL operation: claim the next due job of some kinds for a worker, taking over jobs whose lease expired.
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { ClaimRequest, JobRecord } from '../../store.js';
import type { Database } from '../database.js';
import { toJobRecord, UNFINISHED_STATES, type JobDialect } from './job-rows.js';

/** Due: queued and its time has come, or running under a lease that has expired. */
function isDue(eb: ExpressionBuilder<Database, 'jobs'>, now: number) {
  return eb.or([
    eb.and([eb('jobs.state', '=', 'queued'), eb('jobs.run_after', '<=', now)]),
    eb.and([eb('jobs.state', '=', 'running'), eb('jobs.lease_expires_at', '<=', now)]),
  ]);
}

/**
 * One UPDATE whose target is chosen by a sub-select: the lowest due id of the wanted kinds whose queue
 * has no earlier unfinished job. On PostgreSQL the sub-select locks its row `FOR UPDATE SKIP LOCKED` and
 * the outer WHERE is re-checked on the locked row; on SQLite the statement runs under the write lock.
 */
export async function claimNextJob(db: Kysely<Database>, dialect: JobDialect, request: ClaimRequest): Promise<JobRecord | undefined> {
  if (request.kinds.length === 0) return undefined;
  let candidate = db
    .selectFrom('jobs')
    .select('jobs.id')
    .where('jobs.kind', 'in', [...request.kinds])
    .where((eb) => isDue(eb, request.now))
    .where((eb) =>
      eb.or([
        eb('jobs.queue_key', 'is', null),
        eb.not(
          eb.exists(
            eb
              .selectFrom('jobs as earlier')
              .select('earlier.id')
              .whereRef('earlier.queue_key', '=', 'jobs.queue_key')
              .whereRef('earlier.id', '<', 'jobs.id')
              .where('earlier.state', 'in', [...UNFINISHED_STATES]),
          ),
        ),
      ]),
    )
    .orderBy('jobs.id')
    .limit(1);
  if (dialect.supportsSkipLocked) candidate = candidate.forUpdate().skipLocked();
  const claimed = await db
    .updateTable('jobs')
    .set((eb) => ({
      state: 'running',
      attempts: eb('attempts', '+', 1),
      lease_owner: request.workerId,
      lease_expires_at: request.now + request.leaseMs,
      updated_at: request.now,
    }))
    .where('id', '=', candidate)
    .where((eb) => isDue(eb, request.now))
    .returningAll()
    .executeTakeFirst();
  return claimed === undefined ? undefined : toJobRecord(claimed);
}
