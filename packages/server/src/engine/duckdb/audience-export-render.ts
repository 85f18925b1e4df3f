// How audience export values become text (SPEC §6.4), as SQL expressions DuckDB evaluates row by row: CSV fields and
// lines, NDJSON objects, the canonical string form the dedup tie-break compares. Pure: builds SQL text, runs nothing.
//
// Why lines are rendered in SQL: DuckDB's CSV writer cannot express our rules (escape only inside quotes, escaping
// without quotes, nullValue vs emptyValue, quote '' = never quote, JS number forms), so each line is one VARCHAR built
// here and written by `COPY … (FORMAT csv, QUOTE '', ESCAPE '', HEADER false)`, which writes a single column raw (a
// test pins that). That keeps rendering, ordering, gzip and file writes in DuckDB's threads: no row crosses into
// JavaScript. NDJSON lines are built the same way, because DuckDB's JSON writer writes missing values as `null`.
import type { ExportCsvOptions } from '../engine.js';
import type { ScalarFieldType } from '../lake-schema.js';
import { sqlStringLiteral } from './sql-text.js';

/** The value type of an export column: a lake type, an array of one, or JSON text (a path naming an object). */
export type ValueKind = { readonly type: ScalarFieldType } | { readonly type: 'array'; readonly items: ScalarFieldType } | { readonly type: 'json' };

/** Name of the temp macro rendering a DOUBLE as JavaScript's `String(number)` (created by {@link RENDER_MACROS_SQL}). */
const JS_NUMBER = '"$js_number"';

/**
 * Temp macros of the connection: `"$js_number"(x)` renders a DOUBLE in the shortest round-trip form of ECMAScript's
 * Number::toString (`5`, `0.1`, `1e+21`, `1e-7`, `123456789012345680000`) from DuckDB's VARCHAR cast, which gives the
 * same shortest digits: plain forms (`5.0`, `0.25`) only lose a trailing `.0`; scientific ones (`1e-07`,
 * `1.2345678901234568e+20`) are re-laid out from digits D (k of them) and decimal exponent n with x = 0.D·10^n.
 * The scientific path binds its parts once through a one-element list_transform, as macro arguments are expanded
 * textually (binding them by nesting macros made the expression, and its cost, grow exponentially).
 */
export const RENDER_MACROS_SQL: readonly string[] = [
  // ECMAScript Number::toString(x) for digits d (no leading/trailing zero) and exponent n.
  `CREATE OR REPLACE TEMP MACRO "$xn_format"(d, n) AS CASE ` +
    `WHEN length(d) <= n AND n <= 21 THEN d || repeat('0', n - length(d)) ` +
    `WHEN 0 < n AND n <= 21 THEN d[1:n] || '.' || d[n + 1:] ` +
    `WHEN -6 < n AND n <= 0 THEN '0.' || repeat('0', -n) || d ` +
    `ELSE d[1:1] || CASE WHEN length(d) > 1 THEN '.' || d[2:] ELSE '' END || 'e' || CASE WHEN n - 1 >= 0 THEN '+' ELSE '-' END || CAST(abs(n - 1) AS VARCHAR) END`,
  // A scientific VARCHAR form `[-]m[.fff]e±xx` (one non-zero digit before the point).
  `CREATE OR REPLACE TEMP MACRO "$xn_scientific"(s) AS list_transform([{` +
    `'sign': CASE WHEN starts_with(s, '-') THEN '-' ELSE '' END, ` +
    `'d': rtrim(replace(split_part(ltrim(s, '-'), 'e', 1), '.', ''), '0'), ` +
    `'n': CAST(split_part(s, 'e', 2) AS INTEGER) + 1}], lambda "$p": "$p".sign || "$xn_format"("$p".d, "$p".n))[1]`,
  `CREATE OR REPLACE TEMP MACRO "$xn_text"(s) AS CASE WHEN contains(s, 'e') THEN "$xn_scientific"(s) WHEN suffix(s, '.0') THEN left(s, length(s) - 2) ELSE s END`,
  `CREATE OR REPLACE TEMP MACRO ${JS_NUMBER}(x) AS CASE ` +
    `WHEN x IS NULL THEN NULL WHEN isnan(x) THEN 'NaN' WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END WHEN x = 0 THEN '0' ` +
    `ELSE "$xn_text"(CAST(x AS VARCHAR)) END`,
];

const DATE_FORMAT = "'%Y-%m-%d'";
const DATE_TIME_FORMAT = "'%Y-%m-%dT%H:%M:%S.%gZ'";

/** The text of a scalar as SPEC §6.4 renders it (NULL stays NULL). */
function scalarTextSql(expr: string, type: ScalarFieldType): string {
  switch (type) {
    case 'string':
      return expr;
    case 'integer':
    case 'boolean':
      return `CAST(${expr} AS VARCHAR)`;
    case 'number':
      return `${JS_NUMBER}(${expr})`;
    case 'date':
      return `strftime(${expr}, ${DATE_FORMAT})`;
    case 'date-time':
      return `strftime(${expr}, ${DATE_TIME_FORMAT})`;
  }
}

/** The JSON text of a scalar (strings JSON-escaped, dates and date-times as strings, non-finite numbers NULL). */
function scalarJsonSql(expr: string, type: ScalarFieldType): string {
  switch (type) {
    case 'string':
      return `CAST(to_json(${expr}) AS VARCHAR)`;
    case 'number':
      return `CASE WHEN isfinite(${expr}) THEN ${JS_NUMBER}(${expr}) END`;
    case 'date':
    case 'date-time':
      return `'"' || ${scalarTextSql(expr, type)} || '"'`;
    default:
      return scalarTextSql(expr, type);
  }
}

/** A list as compact JSON text (`[]` when empty, `null` for missing or non-finite elements). */
function arrayJsonSql(expr: string, items: ScalarFieldType): string {
  return `'[' || array_to_string(list_transform(${expr}, lambda "$e": coalesce(${scalarJsonSql('"$e"', items)}, 'null')), ',') || ']'`;
}

/** The text of a value (CSV fields, the dedup tie-break's string comparison); NULL = missing. */
export function valueTextSql(expr: string, kind: ValueKind): string {
  if (kind.type === 'json') return expr;
  if (kind.type === 'array') return arrayJsonSql(expr, kind.items);
  return scalarTextSql(expr, kind.type);
}

/** The JSON text of a value for an NDJSON object (arrays and objects native); NULL = missing, so left out. */
export function valueJsonSql(expr: string, kind: ValueKind): string {
  if (kind.type === 'json') return expr;
  if (kind.type === 'array') return arrayJsonSql(expr, kind.items);
  return scalarJsonSql(expr, kind.type);
}

/** `"key":` as a SQL literal, the key JSON-escaped. */
export function jsonKeyLiteral(key: string): string {
  return sqlStringLiteral(`${JSON.stringify(key)}:`);
}

/**
 * A JSON object of members `(key, JSON text or NULL)`, members whose text is NULL left out. `nullWhenEmpty`: NULL
 * instead of `{}` (a nested object with no value is missing).
 */
export function jsonObjectSql(members: readonly { readonly key: string; readonly json: string }[], nullWhenEmpty: boolean): string {
  if (members.length === 0) return nullWhenEmpty ? 'CAST(NULL AS VARCHAR)' : "'{}'";
  const object = `'{' || concat_ws(',', ${members.map((member) => `${jsonKeyLiteral(member.key)} || (${member.json})`).join(', ')}) || '}'`;
  return nullWhenEmpty ? `nullif(${object}, '{}')` : object;
}

/** One CSV field of text `text` (TS twin of {@link csvFieldSql}, for the header). */
export function csvField(text: string | null, options: ExportCsvOptions): string {
  if (text === null) return options.nullValue;
  if (text === '') return options.emptyValue;
  const { delimiter, quote, escape } = options;
  if (quote === '') {
    let escaped = text.replaceAll(escape, escape + escape);
    for (const special of [delimiter, '\r', '\n']) escaped = escaped.replaceAll(special, escape + special);
    return escaped;
  }
  const needsQuotes = options.quoteAll || [delimiter, quote, '\r', '\n'].some((special) => text.includes(special));
  if (!needsQuotes) return text;
  const inner = escape === quote ? text.replaceAll(quote, quote + quote) : text.replaceAll(escape, escape + escape).replaceAll(quote, escape + quote);
  return quote + inner + quote;
}

/**
 * One CSV field as SQL (SPEC §6.4): missing → nullValue, '' → emptyValue (both written as given); quoted when
 * quoteAll or the text holds the delimiter, the quote, CR or LF, with quote and escape escaped inside the quotes
 * (doubled when escape = quote); with quoting off, delimiter, CR, LF and the escape itself are escaped instead.
 */
export function csvFieldSql(text: string, options: ExportCsvOptions): string {
  const { delimiter, quote, escape } = options;
  const lit = sqlStringLiteral;
  let rendered: string;
  if (quote === '') {
    let escaped = `replace(${text}, ${lit(escape)}, ${lit(escape + escape)})`;
    for (const special of [delimiter, '\r', '\n']) escaped = `replace(${escaped}, ${lit(special)}, ${lit(escape + special)})`;
    rendered = escaped;
  } else {
    const inner =
      escape === quote
        ? `replace(${text}, ${lit(quote)}, ${lit(quote + quote)})`
        : `replace(replace(${text}, ${lit(escape)}, ${lit(escape + escape)}), ${lit(quote)}, ${lit(escape + quote)})`;
    const quoted = `${lit(quote)} || ${inner} || ${lit(quote)}`;
    if (options.quoteAll) rendered = quoted;
    else {
      const needs = [delimiter, quote, '\r', '\n'].map((special) => `contains(${text}, ${lit(special)})`).join(' OR ');
      rendered = `CASE WHEN ${needs} THEN ${quoted} ELSE ${text} END`;
    }
  }
  return `CASE WHEN (${text}) IS NULL THEN ${lit(options.nullValue)} WHEN (${text}) = '' THEN ${lit(options.emptyValue)} ELSE ${rendered} END`;
}

/** A data line of CSV (without the line separator) from the columns' text expressions. */
export function csvLineSql(texts: readonly string[], options: ExportCsvOptions): string {
  if (texts.length === 0) return "''";
  return texts.map((text) => `(${csvFieldSql(text, options)})`).join(` || ${sqlStringLiteral(options.delimiter)} || `);
}

/** The CSV header line (without the line separator). */
export function csvHeader(names: readonly string[], options: ExportCsvOptions): string {
  return names.map((name) => csvField(name, options)).join(options.delimiter);
}
