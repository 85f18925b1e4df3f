// Browser sessions on Kysely: stored by the hash of the cookie value, removed per user or once expired.
import type { Kysely } from 'kysely';
import type { EpochMs, SessionRecord, SessionRepository } from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { Database } from './database.js';
import { rowCount } from './stored-values.js';

/** {@link SessionRepository} over `sessions`. A session counts as expired once `expiresAt <= now`. */
export class KyselySessionRepository implements SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(session: SessionRecord): Promise<void> {
    await failOnConflict(() =>
      this.db
        .insertInto('sessions')
        .values({
          id_hash: session.idHash,
          user_id: session.userId,
          csrf_token: session.csrfToken,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .execute(),
    );
  }

  async getByHash(idHash: string): Promise<SessionRecord | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      idHash: row.id_hash,
      userId: row.user_id,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  async delete(idHash: string): Promise<boolean> {
    const result = await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return rowCount(result.numDeletedRows) > 0;
  }

  async deleteForUser(userId: string): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    return rowCount(result.numDeletedRows);
  }

  async deleteExpired(now: EpochMs): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return rowCount(result.numDeletedRows);
  }
}
