// The field catalogue of a sandbox (seg-contract §1): the union schema of its profile-enabled datasets.
import type { DatasetSchema } from '../../engine/lake-schema.js';
import type { CatalogueField, FieldCatalogue } from './pql-port.js';

/** Fields every experience event has, whatever its dataset declares. */
const IMPLICIT_EVENT_FIELDS: readonly CatalogueField[] = [
  { path: 'timestamp', type: 'date-time' },
  { path: '_id', type: 'string' },
];

function toCatalogueField(field: DatasetSchema['fields'][number]): CatalogueField {
  return field.type === 'array' && field.items !== undefined ? { path: field.path, type: 'array', items: field.items } : { path: field.path, type: field.type };
}

/**
 * Profile-class datasets give profile paths, experienceEvent-class datasets event paths (plus `timestamp` and
 * `_id`). A path declared by several datasets appears once (the union schema gives it one type, SPEC §3.1);
 * datasets that do not feed profiles are left out. Paths are sorted, so the catalogue does not depend on dataset order.
 */
export function fieldCatalogueOf(datasets: readonly { readonly profileEnabled: boolean; readonly schema: DatasetSchema }[]): FieldCatalogue {
  const profile = new Map<string, CatalogueField>();
  const event = new Map<string, CatalogueField>(IMPLICIT_EVENT_FIELDS.map((field) => [field.path, field]));
  for (const dataset of datasets) {
    if (!dataset.profileEnabled) continue;
    const target = dataset.schema.class === 'profile' ? profile : event;
    for (const field of dataset.schema.fields) if (!target.has(field.path)) target.set(field.path, toCatalogueField(field));
  }
  const sorted = (fields: Map<string, CatalogueField>) => [...fields.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { profile: sorted(profile), event: sorted(event) };
}
