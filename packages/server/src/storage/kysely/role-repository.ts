// Roles on Kysely: unique names, permission and sandbox lists as JSON text, in-use checks via the join tables.
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { RolePatch, RoleRecord, RoleRepository } from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { Database, RolesTable } from './database.js';
import { isRoleAssigned, unassignRole } from './role-assignments.js';
import { fromJsonStringArray, fromStoredBoolean, rowCount, toJsonText, toStoredBoolean } from './stored-values.js';

function toRecord(row: Selectable<RolesTable>): RoleRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    permissions: fromJsonStringArray(row.permissions),
    sandboxes: fromJsonStringArray(row.sandboxes),
    builtIn: fromStoredBoolean(row.built_in),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toChanges(patch: RolePatch): Updateable<RolesTable> {
  const changes: Updateable<RolesTable> = {};
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.permissions !== undefined) changes.permissions = toJsonText(patch.permissions);
  if (patch.sandboxes !== undefined) changes.sandboxes = toJsonText(patch.sandboxes);
  if (patch.builtIn !== undefined) changes.built_in = toStoredBoolean(patch.builtIn);
  if (patch.updatedAt !== undefined) changes.updated_at = patch.updatedAt;
  return changes;
}

/** {@link RoleRepository} over `roles`; deleting a role also takes it away from every user and credential. */
export class KyselyRoleRepository implements RoleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(role: RoleRecord): Promise<void> {
    await failOnConflict(() =>
      this.db
        .insertInto('roles')
        .values({
          id: role.id,
          name: role.name,
          description: role.description,
          permissions: toJsonText(role.permissions),
          sandboxes: toJsonText(role.sandboxes),
          built_in: toStoredBoolean(role.builtIn),
          created_at: role.createdAt,
          updated_at: role.updatedAt,
        })
        .execute(),
    );
  }

  async getById(id: string): Promise<RoleRecord | undefined> {
    const row = await this.db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async getByName(name: string): Promise<RoleRecord | undefined> {
    const row = await this.db.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /** The roles among `ids` that exist, ordered by name; unknown ids are skipped. */
  async getMany(ids: readonly string[]): Promise<readonly RoleRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('roles').selectAll().where('id', 'in', ids).orderBy('name').execute();
    return rows.map(toRecord);
  }

  async listAll(): Promise<readonly RoleRecord[]> {
    const rows = await this.db.selectFrom('roles').selectAll().orderBy('name').execute();
    return rows.map(toRecord);
  }

  async update(id: string, patch: RolePatch): Promise<RoleRecord | undefined> {
    const changes = toChanges(patch);
    if (Object.keys(changes).length === 0) return this.getById(id);
    const row = await failOnConflict(() =>
      this.db.updateTable('roles').set(changes).where('id', '=', id).returningAll().executeTakeFirst(),
    );
    return row === undefined ? undefined : toRecord(row);
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await unassignRole(trx, 'user_roles', id);
      await unassignRole(trx, 'credential_roles', id);
      const result = await trx.deleteFrom('roles').where('id', '=', id).executeTakeFirst();
      return rowCount(result.numDeletedRows) > 0;
    });
  }

  async isInUse(id: string): Promise<boolean> {
    return (await isRoleAssigned(this.db, 'user_roles', id)) || (await isRoleAssigned(this.db, 'credential_roles', id));
  }
}
