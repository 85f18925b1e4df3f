// API credentials on Kysely: unique client id, roles in credential_roles, deleting one revokes its tokens.
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { CredentialPatch, CredentialRecord, CredentialRepository, Page, PageRequest } from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { CredentialsTable, Database } from './database.js';
import { decodeCursor, rowsToFetch, toPage } from './pagination.js';
import { loadRoleIds, replaceRoleIds } from './role-assignments.js';
import { fromStoredBoolean, rowCount, toStoredBoolean } from './stored-values.js';

function toRecord(row: Selectable<CredentialsTable>, roleIds: readonly string[]): CredentialRecord {
  return {
    id: row.id,
    name: row.name,
    clientId: row.client_id,
    secretHash: row.secret_hash,
    admin: fromStoredBoolean(row.admin),
    roleIds,
    disabled: fromStoredBoolean(row.disabled),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

function toChanges(patch: CredentialPatch): Updateable<CredentialsTable> {
  const changes: Updateable<CredentialsTable> = {};
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.secretHash !== undefined) changes.secret_hash = patch.secretHash;
  if (patch.admin !== undefined) changes.admin = toStoredBoolean(patch.admin);
  if (patch.disabled !== undefined) changes.disabled = toStoredBoolean(patch.disabled);
  if (patch.lastUsedAt !== undefined) changes.last_used_at = patch.lastUsedAt;
  return changes;
}

async function withRoleIds(db: Kysely<Database>, rows: readonly Selectable<CredentialsTable>[]): Promise<CredentialRecord[]> {
  const roleIds = await loadRoleIds(db, 'credential_roles', rows.map((row) => row.id));
  return rows.map((row) => toRecord(row, roleIds.get(row.id) ?? []));
}

async function findOne(db: Kysely<Database>, column: 'id' | 'client_id', value: string): Promise<CredentialRecord | undefined> {
  const row = await db.selectFrom('credentials').selectAll().where(column, '=', value).executeTakeFirst();
  return row === undefined ? undefined : (await withRoleIds(db, [row]))[0];
}

/** {@link CredentialRepository} over `credentials`, `credential_roles` and `access_tokens`. */
export class KyselyCredentialRepository implements CredentialRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(credential: CredentialRecord): Promise<void> {
    await failOnConflict(() =>
      this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('credentials')
          .values({
            id: credential.id,
            name: credential.name,
            client_id: credential.clientId,
            secret_hash: credential.secretHash,
            admin: toStoredBoolean(credential.admin),
            disabled: toStoredBoolean(credential.disabled),
            created_at: credential.createdAt,
            last_used_at: credential.lastUsedAt,
          })
          .execute();
        await replaceRoleIds(trx, 'credential_roles', credential.id, credential.roleIds);
      }),
    );
  }

  getById(id: string): Promise<CredentialRecord | undefined> {
    return findOne(this.db, 'id', id);
  }

  getByClientId(clientId: string): Promise<CredentialRecord | undefined> {
    return findOne(this.db, 'client_id', clientId);
  }

  /** Ordered by creation time, then id. */
  async list(page: PageRequest): Promise<Page<CredentialRecord>> {
    const after = decodeCursor(page.cursor);
    let query = this.db.selectFrom('credentials').selectAll().orderBy('created_at').orderBy('id').limit(rowsToFetch(page.limit));
    if (after !== undefined) {
      query = query.where(({ eb, refTuple, tuple }) => eb(refTuple('created_at', 'id'), '>', tuple(after.time, after.id)));
    }
    const credentials = await withRoleIds(this.db, await query.execute());
    return toPage(credentials, page.limit, (credential) => ({ time: credential.createdAt, id: credential.id }), (credential) => credential);
  }

  async update(id: string, patch: CredentialPatch): Promise<CredentialRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const changes = toChanges(patch);
      const found =
        Object.keys(changes).length > 0
          ? rowCount((await trx.updateTable('credentials').set(changes).where('id', '=', id).executeTakeFirst()).numUpdatedRows) > 0
          : (await trx.selectFrom('credentials').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
      if (!found) return undefined;
      if (patch.roleIds !== undefined) await replaceRoleIds(trx, 'credential_roles', id, patch.roleIds);
      return findOne(trx, 'id', id);
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('access_tokens').where('credential_id', '=', id).execute();
      const result = await trx.deleteFrom('credentials').where('id', '=', id).executeTakeFirst();
      return rowCount(result.numDeletedRows) > 0;
    });
  }
}
