// Test helper: every name the DuckDB engine's SQL gives its own columns and relations, spelled as user field paths.
//
// Read from the engine sources, so a helper column added later is tried as a user field automatically.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ENGINE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/engine/duckdb');
/** SPEC §3.1 field-path segment grammar. */
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/u;
/** Names DuckDB itself generates: virtual columns of its file readers, `read_json`'s whole-value column, table pseudo-columns. */
const DUCKDB_NAMES = ['filename', 'file_row_number', 'file_index', 'json', 'rowid', 'ordinality', 'column0'];
/** Names JavaScript objects treat specially: lookup answers are built from rows as objects. */
const JS_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];
/**
 * The lake's system columns as they were first spelled (before internal names left the field-path grammar):
 * a lake or fixture written by an older build must not make these paths special again.
 */
const FORMER_SYSTEM_COLUMNS = ['_file', '_row', '_identities', '_map_identities', '_primary_ns', '_primary_id', '_fragment_time', '_batch_completed_at', '_batch', '_batch_id', '_fid', '_rn',
  // Helper columns of the former one-table merge, named in issue 8.
  '_prec', '_ds', '__profile', '__pnode', '__field', '__value', '__list', '__shard', '__last', '__primary_node'];
/** System fields SPEC §3.1 reserves (never declarable); `identities` sits next to the attributes in a lookup's `entity`. */
const NOT_USER_PATHS = new Set(['identitymap', 'segmentmembership', 'identities']);

function engineSources(): string[] {
  return readdirSync(ENGINE_DIR)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => readFileSync(path.join(ENGINE_DIR, name), 'utf8'));
}

/**
 * Single-segment field paths that spell a name the engine uses: every `_`-prefixed identifier in its sources,
 * every `AS <alias>`, table alias and lambda parameter, every internal `"$name"` (quoted in SQL or as a JavaScript string) as `_name`, `__name` and `name`, numbered variants of
 * generated names (`v${i}` → `v0`, `v1`), DuckDB's and JavaScript's own names, and the former system
 * columns. Unique ignoring case (DuckDB compares identifiers case-insensitively).
 */
export function engineNameCandidates(): string[] {
  const found: string[] = [...FORMER_SYSTEM_COLUMNS, ...DUCKDB_NAMES, ...JS_NAMES];
  for (const text of engineSources()) {
    for (const match of text.matchAll(/(?<![A-Za-z0-9_$.-])_{1,2}[A-Za-z][A-Za-z0-9_]*/gu)) found.push(match[0]);
    for (const match of text.matchAll(/\bAS\s+([A-Za-z_][A-Za-z0-9_]*)\b/gu)) found.push(match[1] as string);
    for (const match of text.matchAll(/\blambda\s+([A-Za-z_][A-Za-z0-9_]*)\s*:/gu)) found.push(match[1] as string);
    for (const match of text.matchAll(/\b(?:FROM|JOIN)\s+[^\s(]+\s+([A-Za-z_][A-Za-z0-9_]*)\b/gu)) found.push(match[1] as string);
    for (const match of text.matchAll(/["'`]\$([A-Za-z_][A-Za-z0-9_]*)/gu)) {
      const stem = (match[1] as string).replace(/^_+/u, '');
      found.push(`_${stem}`, `__${stem}`, stem);
    }
    for (const match of text.matchAll(/(?<![A-Za-z0-9_$.-])([A-Za-z_][A-Za-z0-9_]*)\$\{/gu)) found.push(`${match[1] as string}0`, `${match[1] as string}1`);
  }
  const seen = new Set<string>();
  return found.filter((name) => {
    const key = name.toLowerCase();
    if (!SEGMENT.test(name) || NOT_USER_PATHS.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
