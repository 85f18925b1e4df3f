// SQL operation: a running job's attempt failed — it fails for good, or waits for a retry; only its lease owner may say so.
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { rowCount } from '../stored-values.js';

/**
 * With `retryAt`: back to `queued` until then (attempts kept, the job stays unique per subject).
 * Without: `failed`. Either way the lease ends and `last_error` records why.
 */
export async function failJob(db: Kysely<Database>, id: number, workerId: string, outcome: { error: string; now: number; retryAt?: number | undefined }): Promise<boolean> {
  const retry = outcome.retryAt !== undefined;
  const result = await db
    .updateTable('jobs')
    .set({
      state: retry ? 'queued' : 'failed',
      ...(retry ? { run_after: outcome.retryAt } : { unique_key: null }),
      lease_owner: null, lease_expires_at: null, last_error: outcome.error, updated_at: outcome.now,
    })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .where('lease_owner', '=', workerId)
    .executeTakeFirst();
  return rowCount(result.numUpdatedRows) > 0;
}
