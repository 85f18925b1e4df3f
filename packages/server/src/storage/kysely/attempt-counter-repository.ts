// Attempt counters on Kysely: each change is one atomic upsert, so concurrent requests and processes count exactly.
import { sql, type Kysely } from 'kysely';
import type { AttemptCounterRepository, AttemptWindow, EpochMs } from '../store.js';
import type { Database } from './database.js';
import { rowCount } from './stored-values.js';

/** {@link AttemptCounterRepository} over `attempt_counters` (same SQL on SQLite and PostgreSQL). */
export class KyselyAttemptCounterRepository implements AttemptCounterRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async increment(bucket: string, now: EpochMs, windowMs: number): Promise<AttemptWindow> {
    const expiredBefore = now - windowMs;
    // Both SET expressions read the row as it was before the update, on both dialects.
    const row = await this.db
      .insertInto('attempt_counters')
      .values({ bucket, window_start: now, attempts: 1 })
      .onConflict((conflict) =>
        conflict.column('bucket').doUpdateSet({
          attempts: sql<number>`case when attempt_counters.window_start <= ${expiredBefore} then 1 else attempt_counters.attempts + 1 end`,
          window_start: sql<number>`case when attempt_counters.window_start <= ${expiredBefore} then ${now} else attempt_counters.window_start end`,
        }),
      )
      .returning(['attempts', 'window_start'])
      .executeTakeFirstOrThrow();
    return { count: Number(row.attempts), windowStart: Number(row.window_start) };
  }

  async get(bucket: string, now: EpochMs, windowMs: number): Promise<AttemptWindow | undefined> {
    const row = await this.db
      .selectFrom('attempt_counters')
      .select(['attempts', 'window_start'])
      .where('bucket', '=', bucket)
      .where('window_start', '>', now - windowMs)
      .executeTakeFirst();
    return row === undefined ? undefined : { count: Number(row.attempts), windowStart: Number(row.window_start) };
  }

  async decrement(bucket: string, windowStart: EpochMs): Promise<void> {
    await this.db
      .updateTable('attempt_counters')
      .set({ attempts: sql<number>`attempts - 1` })
      .where('bucket', '=', bucket)
      .where('window_start', '=', windowStart)
      .where('attempts', '>', 0)
      .execute();
  }

  async deleteStartedBefore(before: EpochMs): Promise<number> {
    const result = await this.db.deleteFrom('attempt_counters').where('window_start', '<=', before).executeTakeFirst();
    return rowCount(result.numDeletedRows);
  }
}
