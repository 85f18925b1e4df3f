// Conversions between record values and their storage representation (0/1 booleans, JSON text, row counts).
import type { StoredBoolean } from './database.js';

/** A boolean as stored: 1 or 0. */
export function toStoredBoolean(value: boolean): StoredBoolean {
  return value ? 1 : 0;
}

/** A stored 0/1 back to a boolean. */
export function fromStoredBoolean(value: number): boolean {
  return value !== 0;
}

/** Any JSON-serialisable value as text; `undefined` is stored as `null`. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** JSON text back to a value. */
export function fromJsonText(text: string): unknown {
  return JSON.parse(text) as unknown;
}

/** A JSON array of strings back to a string array. */
export function fromJsonStringArray(text: string): readonly string[] {
  const value = fromJsonText(text);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new TypeError(`Expected a JSON array of strings, got ${text}`);
  }
  return value;
}

/** Kysely reports affected rows as bigint; the port speaks numbers. */
export function rowCount(affected: bigint | undefined): number {
  return Number(affected ?? 0n);
}

/** A `count(*)` result (number on SQLite, int8 parsed to number on pg) as a number. */
export function countValue(value: string | number | bigint): number {
  return Number(value);
}
