// SQL operation: a running job succeeded — only its lease owner may say so.
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { rowCount } from '../stored-values.js';

/** `running → succeeded`, lease and uniqueness released; false when `workerId` does not own the job. */
export async function completeJob(db: Kysely<Database>, id: number, workerId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ state: 'succeeded', lease_owner: null, lease_expires_at: null, unique_key: null, updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .where('lease_owner', '=', workerId)
    .executeTakeFirst();
  return rowCount(result.numUpdatedRows) > 0;
}
