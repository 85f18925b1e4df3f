// Effective permissions of a principal in a sandbox (SPEC §2.2): union of its roles that cover the sandbox, plus implications.
import type { RoleRecord } from '../../storage/store.js';
import type { Actor } from '../runtime.js';
import { PERMISSIONS, parsePermission, withImpliedPermissions, type Permission } from './permissions.js';

/** An authenticated caller: who it is, whether it is an admin, and the roles it holds. */
export interface Principal {
  readonly actor: Actor;
  readonly admin: boolean;
  readonly roles: readonly RoleRecord[];
}

function roleCovers(role: RoleRecord, sandboxName: string): boolean {
  return role.sandboxes.includes('*') || role.sandboxes.includes(sandboxName);
}

/** The permissions a principal holds in one sandbox. Admins hold every permission everywhere. */
export function permissionsInSandbox(principal: Principal, sandboxName: string): Set<Permission> {
  if (principal.admin) return new Set(PERMISSIONS);
  return collect(principal.roles.filter((role) => roleCovers(role, sandboxName)));
}

/** The union of a principal's permissions over all sandboxes (sandbox-management checks). */
export function permissionsInAnySandbox(principal: Principal): Set<Permission> {
  if (principal.admin) return new Set(PERMISSIONS);
  return collect(principal.roles);
}

/** Whether the principal may see the sandbox at all: an admin, or a role covering it. */
export function hasRoleInSandbox(principal: Principal, sandboxName: string): boolean {
  return principal.admin || principal.roles.some((role) => roleCovers(role, sandboxName));
}

function collect(roles: readonly RoleRecord[]): Set<Permission> {
  const granted = roles.flatMap((role) => role.permissions.map(parsePermission).filter((p): p is Permission => p !== undefined));
  return new Set(withImpliedPermissions(granted));
}
