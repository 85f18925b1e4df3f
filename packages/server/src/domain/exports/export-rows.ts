// Builds the rows an export job writes (SPEC §5.9): requested attributes, `identityMap`, declared `segmentMembership` paths.
import type { MergedProfile } from '../../engine/engine.js';
import { IDENTITIES_FIELD } from './export-request.js';

export interface Membership {
  readonly status: string;
  readonly lastQualificationTime: number;
}

const MEMBERSHIP_PREFIX = 'segmentMembership.ups.';

/** The value at a dotted path of nested attributes, or undefined. */
function valueAt(attributes: Readonly<Record<string, unknown>>, path: string): unknown {
  let current: unknown = attributes;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Dotted paths as nested objects (JSON ingestion maps both forms to paths); keys are data, defined as own properties. */
function setAt(row: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let current = row;
  keys.slice(0, -1).forEach((key) => {
    // Own properties only: an inherited `__proto__` must never be walked into.
    const next = Object.hasOwn(current, key) ? current[key] : undefined;
    if (typeof next !== 'object' || next === null) Object.defineProperty(current, key, { value: {}, enumerable: true, writable: true, configurable: true });
    current = Object.getOwnPropertyDescriptor(current, key)?.value as Record<string, unknown>;
  });
  Object.defineProperty(current, keys[keys.length - 1] ?? '', { value, enumerable: true, writable: true, configurable: true });
}

/**
 * One row: the requested attribute paths (all declared non-membership paths when `fields` is empty), the profile's
 * identities as `identityMap` (its profile key's identity primary), and every `segmentMembership.ups.<id>.status` /
 * `.lastQualificationTime` path the destination declares.
 */
export function exportRow(profile: MergedProfile, fields: readonly string[], declared: ReadonlySet<string>, membership: ReadonlyMap<string, Membership>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const paths = fields.length > 0 ? fields.filter((f) => f !== IDENTITIES_FIELD) : [...declared].filter((p) => !p.startsWith(MEMBERSHIP_PREFIX));
  for (const path of paths) {
    const value = valueAt(profile.attributes, path);
    if (value !== undefined && value !== null) setAt(row, path, value);
  }
  const identityMap: Record<string, { id: string; primary: boolean }[]> = {};
  for (const identity of profile.identities) {
    (identityMap[identity.namespace] ??= []).push({ id: identity.id, primary: `${identity.namespace}:${identity.id}` === profile.profileKey });
  }
  row['identityMap'] = identityMap;
  for (const [segmentId, entry] of membership) {
    const base = `${MEMBERSHIP_PREFIX}${segmentId}`;
    if (declared.has(`${base}.status`)) setAt(row, `${base}.status`, entry.status);
    if (declared.has(`${base}.lastQualificationTime`)) setAt(row, `${base}.lastQualificationTime`, new Date(entry.lastQualificationTime).toISOString());
  }
  return row;
}
