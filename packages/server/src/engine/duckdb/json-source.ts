// JSON reader: a JSON array of objects or NDJSON (first non-whitespace byte `[` or not); nested objects and dotted keys map to paths.
//
// Row numbers: array element position, or — for NDJSON — position among the non-blank lines. Records are
// staged in file order (NDJSON lines through DuckDB's CSV reader as one text column: parallel and ordered)
// and numbered by position; when the line scan throws (a NUL byte, an overlong line, bad UTF-8), the row
// sanitizer re-reads the lines and numbers them itself. A broken JSON array cannot be split into elements,
// so its file is UNREADABLE_FILE.
import path from 'node:path';
import { sqlString, sqlStringList, standardJsonSql, WHITESPACE_SQL, type BoundSql } from './ingestion-sql.js';
import { MAX_ROW_BYTES, SANITIZED_MAX_LINE_BYTES, sanitizeNdjson } from './row-sanitizer.js';
import { STAGED_ROWS_TABLE, stagingSql, type ReaderInput, type ReaderOutcome, type SourceRelation, type Unreadable } from './source-relation.js';
import { firstSignificantByte } from './staged-input.js';
import type { EffectiveField } from './validation-sql.js';

const OPEN_BRACKET = 0x5b;

/** Opens a JSON file (array or NDJSON) for validation. */
export async function openJsonSource(input: ReaderInput): Promise<ReaderOutcome> {
  const first = await firstSignificantByte(input.path);
  if (first === undefined) return { kind: 'empty' };
  const plan = jsonPathPlan(input.fields);
  const params = { json_path: input.path };
  if (first === OPEN_BRACKET) {
    const elements = { sql: `SELECT json AS j FROM read_json($json_path, format = 'array', records = false)`, params };
    return { kind: 'rows', fast: jsonRelation(plan, elements, 'position', 'element'), fastFailure: 'not a valid JSON array (syntax error, bad encoding or an element too large)' };
  }
  const lines = {
    sql:
      `SELECT j FROM read_csv($json_path, header = false, auto_detect = false, columns = {'j': 'VARCHAR'}, delim = chr(0), quote = '', ` +
      `escape = '', strict_mode = true, max_line_size = ${MAX_ROW_BYTES}) ` +
      // Blank lines are not records; `trim` is only paid by lines that start with a control or space character.
      `WHERE j IS NOT NULL AND CASE WHEN ascii(j) > 32 THEN true ELSE trim(j, ${WHITESPACE_SQL}) <> '' END`,
    params,
  };
  const exact = async (): Promise<SourceRelation | Unreadable> => {
    const sanitizedPath = path.join(input.workDir, `input-${input.fileIndex}.lines.csv`);
    const outcome = await sanitizeNdjson(input.path, sanitizedPath);
    if (!outcome.readable) return { kind: 'unreadable', reason: outcome.reason };
    const sanitized =
      `SELECT _row, _problem, _raw, c0 AS j FROM read_csv($json_path, header = true, auto_detect = false, ` +
      `columns = {'_row': 'BIGINT', '_problem': 'VARCHAR', '_raw': 'VARCHAR', 'c0': 'VARCHAR'}, delim = ',', quote = '"', escape = '"', ` +
      `strict_mode = true, max_line_size = ${SANITIZED_MAX_LINE_BYTES})`;
    return jsonRelation(plan, { sql: sanitized, params: { json_path: sanitizedPath } }, 'columns', 'line');
  };
  return { kind: 'rows', fast: jsonRelation(plan, lines, 'position', 'line'), exact };
}

/** Where each path may be found in a record: every grouping of its segments into keys (`a.b.c`, `a."b.c"`, …). */
interface JsonPathPlan {
  /** JSONPaths extracted at once per row (`json_extract(doc, [...])`). */
  readonly jsonPaths: readonly string[];
  /** Per effective field: 1-based positions of its spellings in `jsonPaths`, fully nested first. */
  readonly fieldSpellings: ReadonlyMap<number, readonly number[]>;
  /** Objects on the way to declared fields: logical path, position of one spelling, keys allowed inside. */
  readonly containers: readonly { readonly path: string; readonly position: number; readonly allowedKeys: readonly string[] }[];
  readonly rootAllowedKeys: readonly string[];
  readonly identityMapPosition: number;
}

function jsonPathPlan(fields: readonly EffectiveField[]): JsonPathPlan {
  const jsonPaths: string[] = [];
  const position = (jsonPath: string) => {
    const existing = jsonPaths.indexOf(jsonPath);
    if (existing !== -1) return existing + 1;
    jsonPaths.push(jsonPath);
    return jsonPaths.length;
  };
  const fieldSpellings = new Map(fields.map((field) => [field.index, spellings(field.path.split('.')).map(position)]));
  const declared = fields.map((field) => field.path.split('.'));
  const containerPaths = [...new Set(declared.flatMap((segments) => segments.slice(1).map((_, end) => segments.slice(0, end + 1).join('.'))))];
  const known = [...new Set([...fields.map((field) => field.path), ...containerPaths])];
  const keysUnder = (prefix: string) => known.filter((candidate) => candidate.startsWith(`${prefix}.`)).map((candidate) => candidate.slice(prefix.length + 1));
  const containers = containerPaths.flatMap((containerPath) =>
    spellings(containerPath.split('.')).map((spelling) => ({ path: containerPath, position: position(spelling), allowedKeys: keysUnder(containerPath) })),
  );
  return { jsonPaths, fieldSpellings, containers, rootAllowedKeys: [...known, 'identityMap'], identityMapPosition: position('$."identityMap"') };
}

/** JSONPaths for every way of grouping `segments` into (possibly dotted) keys, fully nested first. */
function spellings(segments: readonly string[]): string[] {
  if (segments.length === 0) return ['$'];
  const groupings = (rest: readonly string[]): string[][] =>
    rest.length === 0 ? [[]] : rest.flatMap((_, end) => groupings(rest.slice(end + 1)).map((tail) => [rest.slice(0, end + 1).join('.'), ...tail]));
  return groupings(segments)
    .sort((a, b) => b.length - a.length)
    .map((keys) => `$${keys.map((key) => `."${key}"`).join('')}`);
}

/**
 * The source relation over the staged rows of `scan`: a column `j` with the JSON text of one record, and either
 * `_row`, `_problem`, `_raw` columns (`numbering` = `columns`, from the sanitizer) or rows numbered by position.
 * `unit` names what a record is in messages (`line` or `element`).
 */
function jsonRelation(plan: JsonPathPlan, scan: BoundSql, numbering: 'position' | 'columns', unit: 'line' | 'element'): SourceRelation {
  // `_xs`: the values as JSON text (NULL when absent); `_xss`: the same unquoted (strings) — one parse each.
  const json = (index: number) => `NULLIF(_xs[${index}], 'null')`;
  const values = [...plan.fieldSpellings].flatMap(([fieldIndex, positions]) => {
    const first = `coalesce(${positions.map(json).join(', ')})`;
    return [
      `coalesce(${positions.map((position) => `_xss[${position}]`).join(', ')}) AS v${fieldIndex}`,
      `coalesce(left(${first}, 1) IN ('{', '['), false) AS k${fieldIndex}`,
    ];
  });
  const keysOf = (object: string) => `coalesce(json_keys(${object}), []::VARCHAR[])`;
  const allowedHere = [
    `list_has_all(${sqlStringList(plan.rootAllowedKeys)}, json_keys(_doc))`,
    ...plan.containers.map(
      (container) =>
        `(_xs[${container.position}] IS NULL OR (left(_xs[${container.position}], 1) = '{' AND list_has_all(${sqlStringList(container.allowedKeys)}, json_keys(_xs[${container.position}]))) ` +
        `OR _xs[${container.position}] = 'null')`,
    ),
  ].join(' AND ');
  // Only records with a key the schema does not know pay for finding which one (lambdas per key).
  const unknownLists = [
    `list_filter(json_keys(_doc), lambda key: NOT list_contains(${sqlStringList(plan.rootAllowedKeys)}, key))`,
    ...plan.containers.flatMap((container) => [
      `list_transform(list_filter(${keysOf(`_xs[${container.position}]`)}, lambda key: NOT list_contains(${sqlStringList(container.allowedKeys)}, key)), lambda key: ${sqlString(`${container.path}.`)} || key)`,
      `CASE WHEN json_type(_xs[${container.position}]) NOT IN ('OBJECT', 'NULL') THEN [${sqlString(container.path)}] ELSE []::VARCHAR[] END`,
    ]),
  ];
  const problem =
    `CASE WHEN _problem IS NOT NULL THEN _problem WHEN _doc IS NULL THEN ${sqlString(unit === 'line' ? 'line is not valid JSON' : 'array element is null')} ` +
    `WHEN json_type(_doc) <> 'OBJECT' THEN ${sqlString(`${unit} is not a JSON object`)} END`;
  const columns = [
    '_row',
    `${problem} AS _problem`,
    `CASE WHEN _doc IS NULL THEN to_json(coalesce(_raw, j::VARCHAR)) ELSE ${standardJsonSql('_doc', 'j::VARCHAR')} END AS _record`,
    `CASE WHEN json_type(_doc) <> 'OBJECT' OR (${allowedHere}) THEN NULL ELSE flatten([${unknownLists.map((list) => `coalesce(${list}, []::VARCHAR[])`).join(', ')}])[1] END AS _unknown`,
    `${json(plan.identityMapPosition)}::VARCHAR AS _identity_map`,
    ...values,
  ];
  const staged =
    numbering === 'position'
      ? `SELECT rowid + 1 AS _row, NULL::VARCHAR AS _problem, NULL::VARCHAR AS _raw, j FROM ${STAGED_ROWS_TABLE}`
      : `SELECT _row, _problem, _raw, j FROM ${STAGED_ROWS_TABLE}`;
  const paths = sqlStringList(plan.jsonPaths);
  const parsed = `SELECT *, json_extract(_doc, ${paths}) AS _xs, json_extract_string(_doc, ${paths}) AS _xss FROM (SELECT *, TRY_CAST(j AS JSON) AS _doc FROM (${staged}))`;
  return {
    staging: stagingSql(scan),
    sql: `SELECT ${columns.join(', ')} FROM (${parsed})`,
    params: {},
    hasIdentityMap: true,
    count: { sql: `SELECT count(*) AS n FROM ${STAGED_ROWS_TABLE}`, params: {} },
  };
}
