// fast-check generators for catalogues and worlds: typed field slots with random names, and profiles whose values
// (missing, empty strings, unicode, ties, dates around month/week/year ends and leap days) are relative to a base day.
import fc from 'fast-check';
import type { CatalogueField, FieldCatalogue, ScalarType, TestEvent, TestProfile, TestWorld } from './fixture.js';
import { MS_PER_DAY, daysOf } from './reference-values.js';

/** The profile field slots of a generated catalogue and their types; each gets a random name from its pool. */
export const PROFILE_SLOTS = {
  str1: { type: 'string', names: ['name', 'person.name.firstName', 'a_b.c9'] },
  str2: { type: 'string', names: ['homeAddress.countryCode', 'tier', 'x.y.z.w'] },
  int1: { type: 'integer', names: ['loyalty.points', 'points', 'n_1'] },
  int2: { type: 'integer', names: ['age', 'visits.total'] },
  num1: { type: 'number', names: ['score', 'commerce.value', 'ratio'] },
  bool1: { type: 'boolean', names: ['consent.marketing', 'optIn', 'flags.vip'] },
  date1: { type: 'date', names: ['loyalty.joinDate', 'birthDate', 'd'] },
  dt1: { type: 'date-time', names: ['lastPurchaseAt', 'audit.updatedAt', 't1'] },
  dt2: { type: 'date-time', names: ['firstSeenAt', 'created'] },
  arrS: { type: 'array', items: 'string', names: ['preferences.channels', 'tags'] },
  arrI: { type: 'array', items: 'integer', names: ['lucky', 'scores.history'] },
  arrN: { type: 'array', items: 'number', names: ['weights', 'm.w'] },
  arrD: { type: 'array', items: 'date', names: ['holidays'] },
} as const satisfies Record<string, SlotSpec>;

/** The event field slots (besides the built-in `timestamp` and `_id`). */
export const EVENT_SLOTS = {
  eStr: { type: 'string', names: ['eventType', 'web.pageName'] },
  eStr2: { type: 'string', names: ['commerce.order.currencyCode', 'channel'] },
  eNum: { type: 'number', names: ['commerce.order.priceTotal', 'price'] },
  eInt: { type: 'integer', names: ['quantity', 'items.n'] },
  eBool: { type: 'boolean', names: ['web.isMobile', 'returning'] },
  eDate: { type: 'date', names: ['deliveryDate'] },
  eDt: { type: 'date-time', names: ['shippedAt', 'a.shipped'] },
} as const satisfies Record<string, SlotSpec>;

interface SlotSpec { readonly type: CatalogueField['type']; readonly items?: ScalarType; readonly names: readonly string[] }
export type ProfileSlot = keyof typeof PROFILE_SLOTS;
export type EventSlot = keyof typeof EVENT_SLOTS | 'timestamp' | '_id';
export type SlotNames = Readonly<Record<ProfileSlot | EventSlot, string>>;

/** A raw value: already a fixture value, or a time relative to the base day (`days` offset, `ms` within the day). */
type Raw = unknown;
interface RelativeDate { readonly rel: 'date'; readonly days: number }
interface RelativeInstant { readonly rel: 'instant'; readonly days: number; readonly ms: number }

/** Audience ids usable by `inSegment` in generated worlds (a quote and unicode to exercise string parameters). */
export const SEGMENT_IDS = ['seg-a', 'seg-b', 'Ünï "q"'] as const;

// ── Values ─────────────────────────────────────────────────────────────────────────────────────
export const STRING_POOL = [
  '', 'a', 'A', 'ab', 'Ab', 'AB', 'John', 'jon', 'JON', 'Zoë', 'ZOË', 'é', 'É', '%', '_', 'a%b', 'a_b', '\\', 'x y',
  '\u{1D49C}b', 'ß', 'purchase', 'Purchase', '\uFFFD', "it's", 'a\nb', '$1', '?',
] as const;
/** Parts of the pool's strings, in several cases: method arguments that often hit (case-insensitively or not). */
export const STRING_PARTS = ['a', 'A', 'b', 'B', 'jo', 'JO', 'Jo', 'on', 'ON', 'ë', 'Ë', 'é', 'É', 'ß', 'SS', '%', '_', '\u{1D49C}', "'", 'pur', 'ASE'] as const;
const stringChar = fc.constantFrom('a', 'B', 'é', '%', '_', '\\', ' ', 'ß', '\u{1D49C}', '0', 'o', 'n');
export const stringValue = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...STRING_POOL) }, { weight: 1, arbitrary: fc.string({ unit: stringChar, maxLength: 4 }) });
export const integerValue = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(0, 7, 10, 100, 1000, -1000));
/** Multiples of 1/4: exact in binary, so sums do not depend on the order of addition. */
export const numberValue = fc.integer({ min: -40, max: 40 }).map((quarters) => quarters / 4 + 0);
export const dayOffset = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -1, max: 1 }) },
  { weight: 3, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 3, arbitrary: fc.integer({ min: -40, max: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: -800, max: 800 }) },
);
/** Milliseconds within a day, biased to the day's edges and the hour and minute edges. */
export const msInDay = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 1, 999, 1_000, 59_999, 3_599_999, 3_600_000, 43_200_000, 86_399_000, 86_399_999) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: MS_PER_DAY - 1 }) },
);
const relativeDate: fc.Arbitrary<RelativeDate> = dayOffset.map((days) => ({ rel: 'date', days }));
const relativeInstant: fc.Arbitrary<RelativeInstant> = fc.record({ days: dayOffset, ms: msInDay }).map((r) => ({ rel: 'instant', ...r }));

function scalarValue(type: ScalarType): fc.Arbitrary<Raw> {
  switch (type) {
    case 'string': return stringValue;
    case 'integer': return integerValue;
    case 'number': return numberValue;
    case 'boolean': return fc.boolean();
    case 'date': return relativeDate;
    case 'date-time': return relativeInstant;
  }
}

function slotValue(spec: SlotSpec): fc.Arbitrary<Raw> {
  if (spec.type !== 'array') return scalarValue(spec.type);
  return fc.array(scalarValue(spec.items ?? 'string'), { maxLength: 4 });
}

/** Present ~80% of the time; missing is `undefined` (absent) or `null`. */
const maybe = (arb: fc.Arbitrary<Raw>): fc.Arbitrary<Raw> =>
  fc.oneof({ weight: 8, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(null) });

// ── Raw worlds ─────────────────────────────────────────────────────────────────────────────────
interface RawProfile { readonly attributes: Readonly<Record<string, Raw>>; readonly events: readonly Readonly<Record<string, Raw>>[] }
export interface RawWorld {
  readonly names: SlotNames;
  readonly ids: readonly number[];
  readonly profiles: readonly RawProfile[];
  readonly memberships: Readonly<Record<string, readonly boolean[]>>;
}

const slotRecord = <S extends Record<string, SlotSpec>>(slots: S): fc.Arbitrary<Record<string, Raw>> =>
  fc.record(Object.fromEntries(Object.entries(slots).map(([slot, spec]) => [slot, maybe(slotValue(spec))])));

const rawEvent = fc.tuple(relativeInstant, slotRecord(EVENT_SLOTS), fc.option(fc.constantFrom('dup', 'x"1'), { freq: 4 }))
  .map(([timestamp, fields, id]) => ({ ...fields, timestamp, ...(id === null ? {} : { _id: id }) }));
const rawProfile: fc.Arbitrary<RawProfile> = fc.record({ attributes: slotRecord(PROFILE_SLOTS), events: fc.array(rawEvent, { maxLength: 4 }) });

export const slotNames: fc.Arbitrary<SlotNames> = fc.record({
  ...Object.fromEntries(Object.entries({ ...PROFILE_SLOTS, ...EVENT_SLOTS }).map(([slot, spec]) => [slot, fc.constantFrom(...spec.names)])),
  timestamp: fc.constant('timestamp'),
  _id: fc.constant('_id'),
}) as fc.Arbitrary<SlotNames>;

/** Profiles per world at most (the ids array decides how many are used). */
const MAX_PROFILES = 12;

export const rawWorld: fc.Arbitrary<RawWorld> = fc.record({
  names: slotNames,
  ids: fc.uniqueArray(fc.integer({ min: 1, max: 999 }), { minLength: 3, maxLength: MAX_PROFILES }),
  profiles: fc.array(rawProfile, { minLength: MAX_PROFILES, maxLength: MAX_PROFILES }),
  memberships: fc.record(Object.fromEntries(SEGMENT_IDS.map((id) => [id, fc.array(fc.boolean(), { minLength: MAX_PROFILES, maxLength: MAX_PROFILES })]))),
});

/** Base days: month, week and year ends, leap days, the epoch (negative instants); generated times are offsets from one. */
export const BASE_DAYS = ['2024-02-29', '2024-03-01', '2024-12-31', '2025-01-01', '2025-03-31', '2025-06-30', '2025-12-28', '2020-12-31', '2021-01-04', '2023-02-28', '1969-12-31', '1970-01-01']
  .map((day) => { const [y, m, d] = day.split('-').map(Number); return daysOf(y ?? 0, m ?? 0, d ?? 0); });

// ── Materialising ──────────────────────────────────────────────────────────────────────────────
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
export function isoDate(days: number): string {
  const date = new Date(days * MS_PER_DAY);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

function materialise(raw: Raw, base: number): unknown {
  if (Array.isArray(raw)) return raw.map((item) => materialise(item, base));
  if (raw !== null && typeof raw === 'object' && 'rel' in raw) {
    const time = raw as RelativeDate | RelativeInstant;
    if (time.rel === 'date') return isoDate(base + time.days);
    return new Date((base + time.days) * MS_PER_DAY + time.ms).toISOString();
  }
  return raw;
}

function fields(slots: Record<string, SlotSpec>, names: SlotNames): CatalogueField[] {
  return Object.entries(slots).map(([slot, spec]) => ({
    path: names[slot as ProfileSlot | EventSlot], type: spec.type, ...(spec.items === undefined ? {} : { items: spec.items }),
  }));
}

export function catalogueOf(names: SlotNames): FieldCatalogue {
  return {
    profile: fields(PROFILE_SLOTS, names),
    event: [{ path: 'timestamp', type: 'date-time' }, { path: '_id', type: 'string' }, ...fields(EVENT_SLOTS, names)],
  };
}

/** The world of `raw` with times placed around `base` (days since the epoch). */
export function worldOf(raw: RawWorld, base: number): TestWorld {
  const named = (values: Readonly<Record<string, Raw>>): Record<string, unknown> => Object.fromEntries(Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([slot, value]) => [raw.names[slot as ProfileSlot | EventSlot], materialise(value, base)]));
  const profiles: TestProfile[] = raw.ids.map((id, index) => {
    const profile = raw.profiles[index] ?? { attributes: {}, events: [] };
    return { id, attributes: named(profile.attributes), events: profile.events.map((event) => named(event) as TestEvent) };
  });
  const memberships = Object.fromEntries(Object.entries(raw.memberships).map(([segment, flags]) =>
    [segment, raw.ids.filter((_, index) => flags[index] === true)]));
  return { catalogue: catalogueOf(raw.names), profiles, memberships };
}
