// SQL operation: a worker gives its running job back to the queue without counting the attempt (graceful stop).
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { rowCount } from '../stored-values.js';

/** `running → queued`, due at once, attempts − 1; false when `workerId` does not own the job. */
export async function releaseJob(db: Kysely<Database>, id: number, workerId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set((eb) => ({ state: 'queued', attempts: eb('attempts', '-', 1), run_after: now, lease_owner: null, lease_expires_at: null, updated_at: now }))
    .where('id', '=', id)
    .where('state', '=', 'running')
    .where('lease_owner', '=', workerId)
    .executeTakeFirst();
  return rowCount(result.numUpdatedRows) > 0;
}
