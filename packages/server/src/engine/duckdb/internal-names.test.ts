// Guard: the engine's own SQL names stay outside the field-path grammar, so no user path can collide with them (SPEC §3.1).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LAKE_COLUMN, lakeFieldColumn } from './lake-format.js';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const SOURCES = readdirSync(DIR).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/u;
/**
 * `_`-prefixed words the sources may contain: `_id` is the XDM event id SPEC §3.1 defines (a user-visible field),
 * `__proto__` appears in comments about JavaScript objects, `__Z` / `__T__` in LIKE shapes of date-times.
 */
const ALLOWED = new Set(['_id', '__proto__', '__Z', '__T__']);

describe('internal names of the DuckDB engine', () => {
  it('uses no _-prefixed identifier of its own: helper columns, aliases and lambda parameters are "$name"', () => {
    const found = SOURCES.flatMap((name) =>
      [...readFileSync(path.join(DIR, name), 'utf8').matchAll(/(?<![A-Za-z0-9_$.-])_{1,2}[A-Za-z][A-Za-z0-9_]*/gu)].map((match) => `${name}: ${match[0]}`),
    );
    expect(found.filter((entry) => !ALLOWED.has(entry.split(': ')[1] as string))).toEqual([]);
  });

  it('names every lake system column outside the field-path grammar', () => {
    for (const column of Object.values(LAKE_COLUMN)) expect(column, column).not.toMatch(FIELD_PATH);
    expect(lakeFieldColumn('file_row_number')).not.toMatch(FIELD_PATH);
    expect(lakeFieldColumn('File_Row_Number')).toBe('$field.File_Row_Number');
    expect(lakeFieldColumn('_acme.tier')).toBe('_acme.tier');
  });
});
