// SQL operation: forget a sandbox's jobs that no worker is running (sandbox reset/delete).
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { rowCount } from '../stored-values.js';

/** A running job is left to its worker, which finds its subject gone and completes. */
export async function deleteJobsOfSandbox(db: Kysely<Database>, sandboxId: string): Promise<number> {
  const result = await db.deleteFrom('jobs').where('sandbox_id', '=', sandboxId).where('state', '<>', 'running').executeTakeFirst();
  return rowCount(result.numDeletedRows);
}
