// Roles: bundles of permissions scoped to sandboxes (SPEC §2.2), with the built-in defaults.
import { AppError } from '../../errors.js';
import type { RoleRecord, Store } from '../../storage/store.js';
import { StoreConflictError } from '../../storage/store.js';
import type { Clock, IdGenerator } from '../runtime.js';
import { PERMISSIONS, parsePermission, type Permission } from './permissions.js';

const SANDBOX_NAME = /^[a-z][a-z0-9-]{0,29}$/;

/** The roles created at first start (SPEC §2.2). */
export const DEFAULT_ROLES: readonly { name: string; description: string; permissions: readonly Permission[]; sandboxes: readonly string[] }[] = [
  {
    name: 'Default production all access',
    description: 'Every permission in the production sandbox, except sandbox management.',
    permissions: PERMISSIONS.filter((p) => p !== 'View Sandboxes' && p !== 'Manage Sandboxes'),
    sandboxes: ['prod'],
  },
  {
    name: 'Sandbox Administrators',
    description: 'List, create, reset and delete sandboxes.',
    permissions: ['View Sandboxes', 'Manage Sandboxes'],
    sandboxes: ['*'],
  },
  {
    name: 'Read only',
    description: 'Read destinations, profiles, segments, merge policies and sandboxes everywhere.',
    permissions: ['View Destinations', 'View Profiles', 'View Segments', 'View Merge Policies', 'View Sandboxes'],
    sandboxes: ['*'],
  },
];

/** Input of role creation and update; unknown permission names are rejected. */
export interface RoleInput {
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly permissions?: readonly string[] | undefined;
  readonly sandboxes?: readonly string[] | undefined;
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw new AppError('VALIDATION', 'Role name must be 1 to 100 characters');
  return trimmed;
}

/** Resolves names or keys to canonical permission names; throws naming the first unknown one. */
export function parsePermissionList(values: readonly string[]): Permission[] {
  return [...new Set(values.map((value) => {
    const permission = parsePermission(value);
    if (permission === undefined) {
      throw new AppError('VALIDATION', `Unknown permission '${value}'. Valid permissions: ${PERMISSIONS.join(', ')}`);
    }
    return permission;
  }))];
}

function validSandboxList(values: readonly string[]): string[] {
  for (const value of values) {
    if (value !== '*' && !SANDBOX_NAME.test(value)) {
      throw new AppError('VALIDATION', `Invalid sandbox '${value}' in role: use a sandbox name (lower case, ^[a-z][a-z0-9-]{0,29}$) or '*'`);
    }
  }
  return [...new Set(values)];
}

/** Role CRUD with the rules of SPEC §2.5 (unique names, built-in roles not deletable, roles in use not deletable). */
export class RoleService {
  constructor(private readonly deps: { store: Store; clock: Clock; ids: IdGenerator }) {}

  /** Creates the default roles that do not exist yet (by name). */
  async ensureDefaultRoles(): Promise<void> {
    for (const role of DEFAULT_ROLES) {
      if ((await this.deps.store.roles.getByName(role.name)) !== undefined) continue;
      const now = this.deps.clock.now();
      await this.insert({ id: this.deps.ids.uuid(), ...role, builtIn: true, createdAt: now, updatedAt: now });
    }
  }

  list(): Promise<readonly RoleRecord[]> {
    return this.deps.store.roles.listAll();
  }

  async get(id: string): Promise<RoleRecord> {
    const role = await this.deps.store.roles.getById(id);
    if (role === undefined) throw new AppError('NOT_FOUND', `Role ${id} not found`);
    return role;
  }

  /** Finds a role by id or exact name (CLI convenience). */
  async find(idOrName: string): Promise<RoleRecord | undefined> {
    return (await this.deps.store.roles.getById(idOrName)) ?? (await this.deps.store.roles.getByName(idOrName));
  }

  async create(input: RoleInput): Promise<RoleRecord> {
    if (input.name === undefined) throw new AppError('VALIDATION', 'name is required');
    const now = this.deps.clock.now();
    const role: RoleRecord = {
      id: this.deps.ids.uuid(),
      name: validName(input.name),
      description: input.description ?? '',
      permissions: parsePermissionList(input.permissions ?? []),
      sandboxes: validSandboxList(input.sandboxes ?? ['prod']),
      builtIn: false,
      createdAt: now,
      updatedAt: now,
    };
    await this.insert(role);
    return role;
  }

  async update(id: string, input: RoleInput): Promise<RoleRecord> {
    await this.get(id);
    try {
      const updated = await this.deps.store.roles.update(id, {
        ...(input.name === undefined ? {} : { name: validName(input.name) }),
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(input.permissions === undefined ? {} : { permissions: parsePermissionList(input.permissions) }),
        ...(input.sandboxes === undefined ? {} : { sandboxes: validSandboxList(input.sandboxes) }),
        updatedAt: this.deps.clock.now(),
      });
      if (updated === undefined) throw new AppError('NOT_FOUND', `Role ${id} not found`);
      return updated;
    } catch (error) {
      throw duplicateNameToConflict(error, input.name);
    }
  }

  async delete(id: string): Promise<RoleRecord> {
    const role = await this.get(id);
    if (role.builtIn) throw new AppError('BAD_REQUEST', `Role '${role.name}' is built in and cannot be deleted`);
    if (await this.deps.store.roles.isInUse(id)) {
      throw new AppError('CONFLICT', `Role '${role.name}' is assigned to users or credentials; remove it from them first`);
    }
    await this.deps.store.roles.delete(id);
    return role;
  }

  /** Checks that every id names an existing role; returns them de-duplicated. */
  async requireRoleIds(roleIds: readonly string[]): Promise<string[]> {
    const unique = [...new Set(roleIds)];
    const found = await this.deps.store.roles.getMany(unique);
    const missing = unique.filter((id) => !found.some((role) => role.id === id));
    if (missing.length > 0) throw new AppError('VALIDATION', `Unknown role id(s): ${missing.join(', ')}`);
    return unique;
  }

  private async insert(role: RoleRecord): Promise<void> {
    try {
      await this.deps.store.roles.create(role);
    } catch (error) {
      throw duplicateNameToConflict(error, role.name);
    }
  }
}

function duplicateNameToConflict(error: unknown, name: string | undefined): unknown {
  if (error instanceof StoreConflictError) return new AppError('CONFLICT', `A role named '${name ?? ''}' already exists`, { cause: error });
  return error;
}
