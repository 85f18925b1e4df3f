// Pure conversions between the engine's rows and the port's shapes: identity lookup keys, nested JSON-ready attributes.
import type { Identity } from '../engine.js';
import type { SchemaField } from '../lake-schema.js';

/** An identity as the graph stores it: upper-cased namespace, normalised id (SPEC §4.1). */
export interface IdentityKey {
  readonly nsu: string;
  readonly id: string;
}

/**
 * The graph key of an identity: ids are trimmed (ASCII whitespace), `Email` ids lower-cased, `Phone` ids reduced to `+` and digits;
 * namespaces compare case-insensitively. Example: `{namespace: 'email', id: ' Jane@X.com '}` → `{nsu: 'EMAIL', id: 'jane@x.com'}`.
 */
export function identityKeyOf(identity: Identity): IdentityKey {
  const nsu = identity.namespace.trim().toUpperCase();
  // ASCII whitespace only, as ingestion's SQL trims (ingestion-sql.ts WHITESPACE): a no-break space stays.
  const trimmed = identity.id.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/gu, '');
  const id = nsu === 'EMAIL' ? lowerLikeDuckDb(trimmed) : nsu === 'PHONE' ? trimmed.replace(/[^+0-9]/g, '') : trimmed;
  return { nsu, id };
}

/**
 * Lower case as DuckDB's `lower` (ingestion) gives it: character by character (no final-sigma rule), and `İ`
 * (U+0130, the one character whose full lower case is two) as `i`.
 */
function lowerLikeDuckDb(text: string): string {
  let lowered = '';
  for (const character of text) lowered += character === '\u0130' ? 'i' : character.toLowerCase();
  return lowered;
}

/**
 * A stored value as JSON-ready data: integers as numbers (as decimal strings beyond ±2^53), `date` as
 * `YYYY-MM-DD`, `date-time` as an ISO-8601 UTC string with milliseconds, lists element by element.
 */
export function jsonValueOf(value: unknown, field: Pick<SchemaField, 'type' | 'items'>): unknown {
  if (value === null || value === undefined) return null;
  if (field.type === 'array') return Array.isArray(value) ? value.map((item) => scalarJsonValue(item, field.items ?? 'string')) : value;
  return scalarJsonValue(value, field.type);
}

function scalarJsonValue(value: unknown, type: Exclude<SchemaField['type'], 'array'>): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
  return value;
}

/**
 * Sets an own, enumerable property: a path segment is any name of the grammar, `__proto__` and `constructor`
 * included, and must neither reach nor replace an object's prototype.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An own property's value (never one inherited from Object.prototype). */
export function getOwn(source: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(source, key) ? source[key] : undefined;
}

/**
 * Nests flat path → value pairs (`{"person.name.firstName": "Jane"}` → `{person: {name: {firstName: "Jane"}}}`),
 * converting with {@link jsonValueOf}; null values are absent and leave no empty parents. Only own properties
 * are read and written, so every path of the grammar (`__proto__`, `constructor`, …) is an ordinary key.
 */
export function nestAttributes(row: Readonly<Record<string, unknown>>, fields: readonly SchemaField[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const field of fields) {
    const value = jsonValueOf(getOwn(row, field.path), field);
    if (value === null) continue;
    const segments = field.path.split('.');
    const leaf = segments.pop() ?? field.path;
    let node = root;
    for (const segment of segments) {
      const child = getOwn(node, segment);
      if (typeof child === 'object' && child !== null && !Array.isArray(child)) {
        node = child as Record<string, unknown>;
      } else {
        const created: Record<string, unknown> = {};
        setOwn(node, segment, created);
        node = created;
      }
    }
    setOwn(node, leaf, value);
  }
  return root;
}
