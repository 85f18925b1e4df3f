// The JobRepository port over Kysely: each method is one SQL operation from this folder.
import type { Kysely } from 'kysely';
import type { ClaimRequest, JobRecord, JobRepository, NewJob } from '../../store.js';
import type { Database } from '../database.js';
import { claimNextJob } from './claim-next-job.js';
import { completeJob } from './complete-job.js';
import { deleteJobsOfSandbox } from './delete-jobs-of-sandbox.js';
import { enqueueJob } from './enqueue-job.js';
import { expireAllLeases } from './expire-all-leases.js';
import { failJob } from './fail-job.js';
import { findExpiredJobs, findLatestJob, getJob } from './find-jobs.js';
import { heartbeatJob } from './heartbeat-job.js';
import type { JobDialect } from './job-rows.js';
import { releaseJob } from './release-job.js';

/** {@link JobRepository} on either dialect; `dialect` says whether the claim can skip locked rows. */
export function createKyselyJobRepository(db: Kysely<Database>, dialect: JobDialect): JobRepository {
  return {
    enqueue: (job: NewJob, now: number) => enqueueJob(db, job, now),
    claimNext: (request: ClaimRequest) => claimNextJob(db, dialect, request),
    heartbeat: (id, workerId, leaseMs, now) => heartbeatJob(db, id, workerId, leaseMs, now),
    complete: (id, workerId, now) => completeJob(db, id, workerId, now),
    fail: (id, workerId, outcome) => failJob(db, id, workerId, outcome),
    release: (id, workerId, now) => releaseJob(db, id, workerId, now),
    get: (id): Promise<JobRecord | undefined> => getJob(db, id),
    findLatest: (kind, subjectId) => findLatestJob(db, kind, subjectId),
    findExpired: (now) => findExpiredJobs(db, now),
    expireAllLeases: (now) => expireAllLeases(db, now),
    deleteOfSandbox: (sandboxId) => deleteJobsOfSandbox(db, sandboxId),
  };
}
