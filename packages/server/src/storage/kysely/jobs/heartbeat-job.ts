// SQL operation: extend a running job's lease, only for the worker that owns it.
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { rowCount } from '../stored-values.js';

/** False when the job is no longer running under `workerId` (finished, released, or taken over). */
export async function heartbeatJob(db: Kysely<Database>, id: number, workerId: string, leaseMs: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ lease_expires_at: now + leaseMs, updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .where('lease_owner', '=', workerId)
    .executeTakeFirst();
  return rowCount(result.numUpdatedRows) > 0;
}
