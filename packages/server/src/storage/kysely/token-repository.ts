// Access tokens on Kysely: stored by hash only; a token whose expiry time has come is removed by deleteExpired.
import type { Kysely } from 'kysely';
import type { AccessTokenRecord, EpochMs, TokenRepository } from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { Database } from './database.js';
import { rowCount } from './stored-values.js';

/** {@link TokenRepository} over `access_tokens`. A token counts as expired once `expiresAt <= now`. */
export class KyselyTokenRepository implements TokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(token: AccessTokenRecord): Promise<void> {
    await failOnConflict(() =>
      this.db
        .insertInto('access_tokens')
        .values({
          token_hash: token.tokenHash,
          credential_id: token.credentialId,
          created_at: token.createdAt,
          expires_at: token.expiresAt,
        })
        .execute(),
    );
  }

  async getByHash(tokenHash: string): Promise<AccessTokenRecord | undefined> {
    const row = await this.db.selectFrom('access_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    if (row === undefined) return undefined;
    return { tokenHash: row.token_hash, credentialId: row.credential_id, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  async deleteForCredential(credentialId: string): Promise<number> {
    const result = await this.db.deleteFrom('access_tokens').where('credential_id', '=', credentialId).executeTakeFirst();
    return rowCount(result.numDeletedRows);
  }

  async deleteExpired(now: EpochMs): Promise<number> {
    const result = await this.db.deleteFrom('access_tokens').where('expires_at', '<=', now).executeTakeFirst();
    return rowCount(result.numDeletedRows);
  }
}
