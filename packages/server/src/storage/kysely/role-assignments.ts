// Reads and rewrites the roles held by users or credentials (the user_roles / credential_roles join tables).
import type { Kysely } from 'kysely';
import type { Database } from './database.js';

/** The join table of one kind of role holder. */
export type RoleAssignmentTable = 'user_roles' | 'credential_roles';

/** The role ids of each holder, in their stored order; holders without roles map to []. */
export async function loadRoleIds(
  db: Kysely<Database>,
  table: RoleAssignmentTable,
  holderIds: readonly string[],
): Promise<ReadonlyMap<string, readonly string[]>> {
  const roleIdsByHolder = new Map<string, string[]>(holderIds.map((holderId) => [holderId, []]));
  if (holderIds.length === 0) return roleIdsByHolder;
  const rows = await db
    .selectFrom(table)
    .select(['holder_id', 'role_id'])
    .where('holder_id', 'in', holderIds)
    .orderBy('holder_id')
    .orderBy('position')
    .execute();
  for (const row of rows) roleIdsByHolder.get(row.holder_id)?.push(row.role_id);
  return roleIdsByHolder;
}

/**
 * Makes `roleIds` the holder's roles (duplicates dropped, order kept). Run it inside the transaction
 * that writes the holder. A role id that does not exist violates the foreign key.
 */
export async function replaceRoleIds(
  db: Kysely<Database>,
  table: RoleAssignmentTable,
  holderId: string,
  roleIds: readonly string[],
): Promise<void> {
  await db.deleteFrom(table).where('holder_id', '=', holderId).execute();
  const distinctRoleIds = [...new Set(roleIds)];
  if (distinctRoleIds.length === 0) return;
  await db
    .insertInto(table)
    .values(distinctRoleIds.map((roleId, position) => ({ holder_id: holderId, role_id: roleId, position })))
    .execute();
}

/** Whether any holder in the table has the role. */
export async function isRoleAssigned(db: Kysely<Database>, table: RoleAssignmentTable, roleId: string): Promise<boolean> {
  const row = await db.selectFrom(table).select('role_id').where('role_id', '=', roleId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Removes the role from every holder in the table. */
export async function unassignRole(db: Kysely<Database>, table: RoleAssignmentTable, roleId: string): Promise<void> {
  await db.deleteFrom(table).where('role_id', '=', roleId).execute();
}
