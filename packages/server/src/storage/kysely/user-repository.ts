// Users on Kysely: lower-cased unique e-mail, roles in the user_roles join table, keyset-paged listing.
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Page, PageRequest, UserPatch, UserRecord, UserRepository } from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { Database, UsersTable } from './database.js';
import { decodeCursor, rowsToFetch, toPage } from './pagination.js';
import { loadRoleIds, replaceRoleIds } from './role-assignments.js';
import { countValue, fromStoredBoolean, rowCount, toStoredBoolean } from './stored-values.js';

function toRecord(row: Selectable<UsersTable>, roleIds: readonly string[]): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    admin: fromStoredBoolean(row.admin),
    roleIds,
    disabled: fromStoredBoolean(row.disabled),
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

function toChanges(patch: UserPatch): Updateable<UsersTable> {
  const changes: Updateable<UsersTable> = {};
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.passwordHash !== undefined) changes.password_hash = patch.passwordHash;
  if (patch.admin !== undefined) changes.admin = toStoredBoolean(patch.admin);
  if (patch.disabled !== undefined) changes.disabled = toStoredBoolean(patch.disabled);
  if (patch.lastLoginAt !== undefined) changes.last_login_at = patch.lastLoginAt;
  return changes;
}

async function withRoleIds(db: Kysely<Database>, rows: readonly Selectable<UsersTable>[]): Promise<UserRecord[]> {
  const roleIds = await loadRoleIds(db, 'user_roles', rows.map((row) => row.id));
  return rows.map((row) => toRecord(row, roleIds.get(row.id) ?? []));
}

async function findOne(db: Kysely<Database>, column: 'id' | 'email', value: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where(column, '=', value).executeTakeFirst();
  return row === undefined ? undefined : (await withRoleIds(db, [row]))[0];
}

/** {@link UserRepository} over `users` and `user_roles`. E-mails are lower-cased on write and lookup. */
export class KyselyUserRepository implements UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(user: UserRecord): Promise<void> {
    await failOnConflict(() =>
      this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('users')
          .values({
            id: user.id,
            email: user.email.toLowerCase(),
            name: user.name,
            password_hash: user.passwordHash,
            admin: toStoredBoolean(user.admin),
            disabled: toStoredBoolean(user.disabled),
            created_at: user.createdAt,
            last_login_at: user.lastLoginAt,
          })
          .execute();
        await replaceRoleIds(trx, 'user_roles', user.id, user.roleIds);
      }),
    );
  }

  getById(id: string): Promise<UserRecord | undefined> {
    return findOne(this.db, 'id', id);
  }

  getByEmail(email: string): Promise<UserRecord | undefined> {
    return findOne(this.db, 'email', email.toLowerCase());
  }

  async list(page: PageRequest): Promise<Page<UserRecord>> {
    const after = decodeCursor(page.cursor);
    let query = this.db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').limit(rowsToFetch(page.limit));
    if (after !== undefined) {
      query = query.where(({ eb, refTuple, tuple }) => eb(refTuple('created_at', 'id'), '>', tuple(after.time, after.id)));
    }
    const users = await withRoleIds(this.db, await query.execute());
    return toPage(users, page.limit, (user) => ({ time: user.createdAt, id: user.id }), (user) => user);
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
    return countValue(row.count);
  }

  async update(id: string, patch: UserPatch): Promise<UserRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const changes = toChanges(patch);
      const found =
        Object.keys(changes).length > 0
          ? rowCount((await trx.updateTable('users').set(changes).where('id', '=', id).executeTakeFirst()).numUpdatedRows) > 0
          : (await trx.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
      if (!found) return undefined;
      if (patch.roleIds !== undefined) await replaceRoleIds(trx, 'user_roles', id, patch.roleIds);
      return findOne(trx, 'id', id);
    });
  }

  /** Deletes the user; its role assignments and sessions go with it (foreign keys cascade). */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return rowCount(result.numDeletedRows) > 0;
  }
}
