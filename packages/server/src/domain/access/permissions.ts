// The permission catalogue (SPEC §2.2): AEP permission names, their kebab-case keys and what each implies.

/** Every permission, by its exact AEP name. */
export const PERMISSIONS = [
  'View Destinations',
  'Manage Destinations',
  'Activate Destinations',
  'Activate Segment without Mapping',
  'View Profiles',
  'Manage Profiles',
  'View Segments',
  'Manage Segments',
  'Evaluate Segment to Audience',
  'View Merge Policies',
  'Manage Merge Policies',
  'View Identity Graph',
  'View Sandboxes',
  'Manage Sandboxes',
  'Manage Datasets',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** The kebab-case key of each permission, accepted by the CLI and listed by `GET /api/v1/permissions`. */
export const PERMISSION_KEYS: Record<Permission, string> = {
  'View Destinations': 'view-destinations',
  'Manage Destinations': 'manage-destinations',
  'Activate Destinations': 'activate-destinations',
  'Activate Segment without Mapping': 'activate-segment-without-mapping',
  'View Profiles': 'view-profiles',
  'Manage Profiles': 'manage-profiles',
  'View Segments': 'view-segments',
  'Manage Segments': 'manage-segments',
  'Evaluate Segment to Audience': 'evaluate-segment-to-audience',
  'View Merge Policies': 'view-merge-policies',
  'Manage Merge Policies': 'manage-merge-policies',
  'View Identity Graph': 'view-identity-graph',
  'View Sandboxes': 'view-sandboxes',
  'Manage Sandboxes': 'manage-sandboxes',
  'Manage Datasets': 'manage-datasets',
};

/** Permissions granted implicitly by holding another one. */
const IMPLIES: Record<Permission, readonly Permission[]> = {
  'View Destinations': [],
  'Manage Destinations': ['View Destinations'],
  'Activate Destinations': [],
  'Activate Segment without Mapping': [],
  'View Profiles': [],
  'Manage Profiles': ['View Profiles'],
  'View Segments': [],
  'Manage Segments': ['View Segments'],
  'Evaluate Segment to Audience': [],
  'View Merge Policies': [],
  'Manage Merge Policies': ['View Merge Policies'],
  'View Identity Graph': [],
  'View Sandboxes': [],
  'Manage Sandboxes': ['View Sandboxes'],
  'Manage Datasets': [],
};

const BY_NAME_OR_KEY = new Map<string, Permission>(
  PERMISSIONS.flatMap((name) => [
    [name.toLowerCase(), name],
    [PERMISSION_KEYS[name], name],
  ]),
);

/** Resolves a permission given by exact name or kebab-case key (case-insensitive); undefined when unknown. */
export function parsePermission(nameOrKey: string): Permission | undefined {
  return BY_NAME_OR_KEY.get(nameOrKey.trim().toLowerCase());
}

/** Adds every implied permission; the result is in catalogue order. */
export function withImpliedPermissions(granted: Iterable<Permission>): Permission[] {
  const all = new Set<Permission>();
  for (const permission of granted) {
    all.add(permission);
    for (const implied of IMPLIES[permission]) all.add(implied);
  }
  return PERMISSIONS.filter((p) => all.has(p));
}

/**
 * What a route requires. `allOf` must all be held; when `anyOf` is given, at least one of it too.
 * `scope: 'sandbox'` checks the request's sandbox; `'any-sandbox'` the union over all sandboxes.
 */
export type RequiredAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'admin' }
  | {
      readonly kind: 'permissions';
      readonly scope: 'sandbox' | 'any-sandbox';
      readonly allOf: readonly Permission[];
      readonly anyOf?: readonly Permission[];
    };

/** The permissions in `required` that `held` lacks (empty when access is granted). */
export function missingPermissions(required: RequiredAccess, held: ReadonlySet<Permission>): Permission[] {
  if (required.kind !== 'permissions') return [];
  const missing = required.allOf.filter((p) => !held.has(p));
  if (required.anyOf !== undefined && required.anyOf.length > 0 && !required.anyOf.some((p) => held.has(p))) {
    missing.push(...required.anyOf);
  }
  return missing;
}
