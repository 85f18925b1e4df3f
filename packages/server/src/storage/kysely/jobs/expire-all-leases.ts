// SQL operation: end every running lease now (embedded mode at start-up, when no other process can hold one).
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { rowCount } from '../stored-values.js';

export async function expireAllLeases(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db
    .updateTable('jobs')
    .set({ lease_expires_at: now, updated_at: now })
    .where('state', '=', 'running')
    .where('lease_expires_at', '>', now)
    .executeTakeFirst();
  return rowCount(result.numUpdatedRows);
}
