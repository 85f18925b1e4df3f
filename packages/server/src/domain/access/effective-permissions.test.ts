import { describe, expect, it } from 'vitest';
import type { RoleRecord } from '../../storage/store.js';
import { SYSTEM_ACTOR } from '../runtime.js';
import { hasRoleInSandbox, permissionsInAnySandbox, permissionsInSandbox, type Principal } from './effective-permissions.js';
import { missingPermissions, parsePermission } from './permissions.js';

function role(permissions: string[], sandboxes: string[]): RoleRecord {
  return { id: `r-${permissions.join()}-${sandboxes.join()}`, name: 'r', description: '', permissions, sandboxes, builtIn: false, createdAt: 0, updatedAt: 0 };
}

const principal = (roles: RoleRecord[], admin = false): Principal => ({ actor: SYSTEM_ACTOR, admin, roles });

describe('effective permissions', () => {
  it('grants a role\'s permissions only in the sandboxes the role names', () => {
    const p = principal([role(['View Destinations'], ['prod'])]);
    expect([...permissionsInSandbox(p, 'prod')]).toEqual(['View Destinations']);
    expect([...permissionsInSandbox(p, 'dev')]).toEqual([]);
    expect(hasRoleInSandbox(p, 'dev')).toBe(false);
  });

  it('adds implied permissions: Manage Destinations implies View Destinations', () => {
    const p = principal([role(['Manage Destinations'], ['*'])]);
    expect([...permissionsInSandbox(p, 'any-sandbox')].sort()).toEqual(['Manage Destinations', 'View Destinations']);
  });

  it('unions roles for the sandbox-management check', () => {
    const p = principal([role(['View Sandboxes'], ['dev']), role(['View Segments'], ['prod'])]);
    expect([...permissionsInAnySandbox(p)].sort()).toEqual(['View Sandboxes', 'View Segments']);
  });

  it('gives an admin all fifteen permissions in every sandbox', () => {
    expect(permissionsInSandbox(principal([], true), 'whatever').size).toBe(15);
    expect(hasRoleInSandbox(principal([], true), 'whatever')).toBe(true);
  });

  it('reports missing permissions for allOf and for an unmet anyOf', () => {
    const held = new Set([parsePermission('view-segments')!]);
    expect(missingPermissions({ kind: 'permissions', scope: 'sandbox', allOf: ['View Segments', 'View Profiles'] }, held)).toEqual(['View Profiles']);
    expect(missingPermissions({ kind: 'permissions', scope: 'sandbox', allOf: [], anyOf: ['View Profiles', 'Manage Datasets'] }, held)).toEqual(['View Profiles', 'Manage Datasets']);
    expect(missingPermissions({ kind: 'permissions', scope: 'sandbox', allOf: ['View Segments'] }, held)).toEqual([]);
  });
});
