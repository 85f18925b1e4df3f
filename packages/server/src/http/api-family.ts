// Which API family a path belongs to (SPEC §1.1): it decides the error envelope and list style.

export type ApiFamily = 'token' | 'adhoc' | 'flow' | 'ups' | 'catalog' | 'import' | 'export' | 'sandboxes' | 'native' | 'ops';

const PREFIXES: readonly (readonly [string, ApiFamily])[] = [
  ['/ims/token/v3', 'token'],
  ['/data/core/activation/disflowprovider', 'adhoc'],
  ['/data/foundation/flowservice', 'flow'],
  ['/data/core/ups', 'ups'],
  ['/data/foundation/catalog', 'catalog'],
  ['/data/foundation/import', 'import'],
  ['/data/foundation/export', 'export'],
  ['/data/foundation/sandbox-management', 'sandboxes'],
  ['/api/v1', 'native'],
];

/** The family whose base path prefixes `url`; `native` for anything else (SPEC §1.1: unknown non-GET paths). */
export function familyOfPath(url: string): ApiFamily {
  const path = url.split('?')[0] ?? '';
  for (const [prefix, family] of PREFIXES) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return family;
  }
  return 'native';
}

/** Whether `url` lies under one of the API base paths (as opposed to the web UI or operations). */
export function isApiPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return PREFIXES.some(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
}
