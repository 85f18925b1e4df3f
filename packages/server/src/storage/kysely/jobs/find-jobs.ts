// SQL operations: read jobs — one by id, the newest of a subject, and the running ones whose lease expired.
import type { Kysely } from 'kysely';
import type { JobRecord } from '../../store.js';
import type { Database } from '../database.js';
import { toJobRecord } from './job-rows.js';

export async function getJob(db: Kysely<Database>, id: number): Promise<JobRecord | undefined> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toJobRecord(row);
}

export async function findLatestJob(db: Kysely<Database>, kind: string, subjectId: string): Promise<JobRecord | undefined> {
  const row = await db.selectFrom('jobs').selectAll().where('kind', '=', kind).where('subject_id', '=', subjectId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row === undefined ? undefined : toJobRecord(row);
}

export async function findExpiredJobs(db: Kysely<Database>, now: number): Promise<readonly JobRecord[]> {
  const rows = await db.selectFrom('jobs').selectAll().where('state', '=', 'running').where('lease_expires_at', '<=', now).orderBy('id').execute();
  return rows.map(toJobRecord);
}
