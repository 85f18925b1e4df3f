// The field catalogue the checker resolves paths against, and the value types of PQL (SPEC §5.2).

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'date-time' | 'array';
export type ScalarType = Exclude<FieldType, 'array'>;

/** One field of the union schema: its dotted path and type (`items` for arrays of scalars). */
export interface CatalogueField {
  readonly path: string;
  readonly type: FieldType;
  readonly items?: ScalarType;
}

/**
 * The union schema of a sandbox: profile paths, and event paths (always incl. `timestamp` date-time and `_id` string).
 *
 * @example { profile: [{ path: 'loyalty.points', type: 'integer' }], event: [{ path: 'timestamp', type: 'date-time' }] }
 */
export interface FieldCatalogue {
  readonly profile: readonly CatalogueField[];
  readonly event: readonly CatalogueField[];
}

/** The type of a PQL value: a scalar, or an array whose `items` type is unknown only for the literal `[]`. */
export type ValueType =
  | { readonly type: ScalarType }
  | { readonly type: 'array'; readonly items: ScalarType | null };

export const scalar = (type: ScalarType): ValueType => ({ type });

/** The type of a catalogue field (an array without declared items is treated as an array of strings). */
export function fieldValueType(field: CatalogueField): ValueType {
  return field.type === 'array' ? { type: 'array', items: field.items ?? 'string' } : { type: field.type };
}

/** How a type is named in diagnostics: `integer`, `date-time`, `array of string`. */
export function typeName(type: ValueType): string {
  if (type.type !== 'array') return type.type;
  return type.items === null ? 'array' : `array of ${type.items}`;
}

export const isNumeric = (type: ValueType): boolean => type.type === 'integer' || type.type === 'number';
export const isTemporal = (type: ValueType): boolean => type.type === 'date' || type.type === 'date-time';

/** Whether two scalar types may be compared: numbers with numbers, dates with date-times, otherwise the same type. */
export function comparable(a: ScalarType, b: ScalarType): boolean {
  if (a === b) return true;
  const numeric = (t: ScalarType): boolean => t === 'integer' || t === 'number';
  const temporal = (t: ScalarType): boolean => t === 'date' || t === 'date-time';
  return (numeric(a) && numeric(b)) || (temporal(a) && temporal(b));
}

/** A catalogue's paths by scope, with lookups for the checker. */
export class FieldIndex {
  private readonly fields: ReadonlyMap<string, CatalogueField>;

  constructor(fields: readonly CatalogueField[]) {
    this.fields = new Map(fields.map((field) => [field.path, field]));
  }

  get(path: string): CatalogueField | undefined {
    return this.fields.get(path);
  }

  /** Fields under `path` when `path` names an object (`person.name` → `person.name.firstName`, …), sorted. */
  childrenOf(path: string): string[] {
    const prefix = `${path}.`;
    return [...this.fields.keys()].filter((candidate) => candidate.startsWith(prefix)).sort();
  }

  /** Up to `limit` paths within edit distance 2 of `path` or with the same last segment, closest first. */
  suggest(path: string, limit = 3): string[] {
    const last = path.slice(path.lastIndexOf('.') + 1);
    const scored: Array<{ path: string; distance: number }> = [];
    for (const candidate of this.fields.keys()) {
      const distance = editDistanceAtMost(path, candidate, 2);
      const sameLast = candidate.slice(candidate.lastIndexOf('.') + 1) === last;
      if (distance <= 2 || sameLast) scored.push({ path: candidate, distance: Math.min(distance, 3) });
    }
    scored.sort((a, b) => a.distance - b.distance || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return scored.slice(0, limit).map((entry) => entry.path);
  }
}

/** Levenshtein distance of `a` and `b`, or `bound + 1` as soon as it is known to exceed `bound`. */
export function editDistanceAtMost(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > bound) return bound + 1;
    previous = current;
  }
  return Math.min(previous[b.length] ?? bound + 1, bound + 1);
}
