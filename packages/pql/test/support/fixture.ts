// The test-world format of contract §4: profiles with flat dotted attributes and events, plus audience memberships.
import type { CatalogueField, FieldCatalogue, FieldType, ScalarType } from '../../src/catalogue.js';

export type { CatalogueField, FieldCatalogue, FieldType, ScalarType };

/** One event: flat dotted paths to values; `timestamp` (ISO date-time) is required, `_id` defaults to `<profile>-<index>`. */
export interface TestEvent { readonly [path: string]: unknown }

export interface TestProfile {
  /** Becomes `"$profile"`. */
  readonly id: number;
  /** Flat dotted paths; an absent path or `null` is a missing value. */
  readonly attributes: { readonly [path: string]: unknown };
  readonly events: readonly TestEvent[];
}

/**
 * A world to evaluate audiences in. Values: string → JS string, integer → safe integer, number → JS number, boolean,
 * date → `'YYYY-MM-DD'`, date-time → `'YYYY-MM-DDTHH:mm:ss.sssZ'`, array → JS array of item values.
 */
export interface TestWorld {
  readonly catalogue: FieldCatalogue;
  readonly profiles: readonly TestProfile[];
  /** Members of audiences usable by `inSegment`: audience id → profile ids. */
  readonly memberships: { readonly [segmentId: string]: readonly number[] };
}

/** The event fields every catalogue has, whether or not it lists them. */
export const EVENT_BUILTINS: readonly CatalogueField[] = [
  { path: 'timestamp', type: 'date-time' },
  { path: '_id', type: 'string' },
];

/** The event fields of `catalogue`, with `timestamp` and `_id` first (added when the catalogue omits them). */
export function eventFields(catalogue: FieldCatalogue): readonly CatalogueField[] {
  const others = catalogue.event.filter((field) => field.path !== 'timestamp' && field.path !== '_id');
  return [...EVENT_BUILTINS, ...others];
}

/** The `_id` of the `index`-th event of `profile` (its own `_id` when given). */
export function eventId(profile: TestProfile, index: number): string {
  const own = profile.events[index]?.['_id'];
  return typeof own === 'string' ? own : `${profile.id}-${index}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Whether `value` is a valid value of `type` in the fixture format (items of arrays checked against `items`). */
export function isFixtureValue(value: unknown, type: FieldType, items?: ScalarType): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'number' && Number.isSafeInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'date': return typeof value === 'string' && isCalendarDate(value);
    case 'date-time': return typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))
      && new Date(value).toISOString() === value;
    case 'array': return Array.isArray(value) && items !== undefined && value.every((item) => item !== null && isFixtureValue(item, items));
  }
}

function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Throws when a value of `world` does not fit its catalogue (so a wrong generator fails loudly, not as a divergence). */
export function assertWorldFitsCatalogue(world: TestWorld): void {
  const check = (where: string, fields: readonly CatalogueField[], values: { readonly [path: string]: unknown }): void => {
    const known = new Map(fields.map((field) => [field.path, field]));
    for (const [path, value] of Object.entries(values)) {
      const field = known.get(path);
      if (field === undefined) throw new Error(`${where}: "${path}" is not in the catalogue`);
      if (value !== null && value !== undefined && !isFixtureValue(value, field.type, field.items)) {
        throw new Error(`${where}: ${JSON.stringify(value)} is not a ${field.type}${field.items ? ` of ${field.items}` : ''} for "${path}"`);
      }
    }
  };
  const ids = new Set<number>();
  for (const profile of world.profiles) {
    if (!Number.isSafeInteger(profile.id) || ids.has(profile.id)) throw new Error(`profile id ${profile.id} is not a unique integer`);
    ids.add(profile.id);
    check(`profile ${profile.id}`, world.catalogue.profile, profile.attributes);
    profile.events.forEach((event, index) => {
      if (event['timestamp'] === null || event['timestamp'] === undefined) throw new Error(`profile ${profile.id} event ${index}: timestamp is required`);
      check(`profile ${profile.id} event ${index}`, eventFields(world.catalogue), event);
    });
  }
}
