// JSON reader: a JSON array of objects or NDJSON (first non-whitespace byte `[` or not); nested objects and dotted keys map to paths.
//
// Row numbers: array element position, or — for NDJSON — position among the non-blank lines. Records are
// staged in file order (NDJSON lines through DuckDB's CSV reader as one text column: parallel and ordered)
// and numbered by position; when the line scan throws (a NUL byte, an overlong line, bad UTF-8), the row
// sanitizer re-reads the lines and numbers them itself. A file that may hold a record over the size limit is
// read by the exact path straight away (json-array-splitter.ts splits arrays into elements). A broken JSON array
// cannot be split into elements, so its file is UNREADABLE_FILE.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { splitJsonArray } from './json-array-splitter.js';
import { quoteIdentifier, sqlString, sqlStringList, standardJsonSql, WHITESPACE_SQL, type BoundSql } from './ingestion-sql.js';
import { csvLineSizeOptions, sanitizeNdjson, sanitizedMaxLineBytes } from './row-sanitizer.js';
import { STAGED_ROWS_TABLE, stagingSql, type DirectRelation, type ReaderInput, type ReaderOutcome, type SourceRelation, type Unreadable } from './source-relation.js';
import { firstSignificantByte, hasLineLongerThan } from './staged-input.js';
import type { EffectiveField } from './validation-sql.js';

const OPEN_BRACKET = 0x5b;

/**
 * Opens a JSON file (array or NDJSON) for validation. DuckDB's JSON reader does not hold records to an exact size
 * (it may read one up to twice its `maximum_object_size`), so a file that could hold a record over the limit (one
 * larger than the limit) is checked first: an NDJSON file with a longer line, and any such array, is read by the
 * exact path, which numbers every record and marks those over the limit.
 */
export async function openJsonSource(input: ReaderInput): Promise<ReaderOutcome> {
  const first = await firstSignificantByte(input.path);
  if (first === undefined) return { kind: 'empty' };
  const plan = jsonPathPlan(input.fields);
  const params = { json_path: input.path };
  const mayHoldLargeRecord = (await stat(input.path)).size > input.maxRecordBytes;
  // The exact path's rows: numbered by the JavaScript splitter, read back from its normalised CSV.
  const sanitizedScan = (sanitizedPath: string): BoundSql => ({
    sql:
      `SELECT "$row", "$problem", "$raw", c0 AS j FROM read_csv($json_path, header = true, auto_detect = false, ` +
      `columns = {'$row': 'BIGINT', '$problem': 'VARCHAR', '$raw': 'VARCHAR', 'c0': 'VARCHAR'}, delim = ',', quote = '"', escape = '"', ` +
      `strict_mode = true, ${csvLineSizeOptions(sanitizedMaxLineBytes(input.maxRecordBytes))})`,
    params: { json_path: sanitizedPath },
  });
  const sanitizedPath = path.join(input.workDir, `input-${input.fileIndex}.records.csv`);
  if (first === OPEN_BRACKET) {
    const arrayFailure = 'not a valid JSON array (syntax error, bad encoding or an element too large)';
    if (mayHoldLargeRecord) {
      const outcome = await splitJsonArray(input.path, sanitizedPath, input.maxRecordBytes);
      if (!outcome.readable) return { kind: 'unreadable', reason: outcome.reason };
      // The splitter finds elements; one that is not JSON still makes the array broken, as on the fast path.
      if (await hasInvalidElement(input.connection, sanitizedScan(sanitizedPath))) return { kind: 'unreadable', reason: arrayFailure };
      return { kind: 'rows', fast: jsonRelation(plan, sanitizedScan(sanitizedPath), 'columns', 'element') };
    }
    const elements = {
      sql: `SELECT json AS j FROM read_json($json_path, format = 'array', records = false, columns = {'json': 'JSON'}, maximum_object_size = ${jsonReaderObjectSize(input.maxRecordBytes)})`,
      params,
    };
    return {
      kind: 'rows',
      direct: directJsonRelation(input.fields, 'array', params, input.maxRecordBytes),
      fast: jsonRelation(plan, elements, 'position', 'element'),
      fastFailure: arrayFailure,
    };
  }
  const exact = async (): Promise<SourceRelation | Unreadable> => {
    const outcome = await sanitizeNdjson(input.path, sanitizedPath, input.maxRecordBytes);
    return outcome.readable ? jsonRelation(plan, sanitizedScan(sanitizedPath), 'columns', 'line') : { kind: 'unreadable', reason: outcome.reason };
  };
  if (mayHoldLargeRecord && (await hasLineLongerThan(input.path, input.maxRecordBytes))) {
    const relation = await exact();
    return 'kind' in relation ? relation : { kind: 'rows', fast: relation };
  }
  const lines = {
    sql:
      `SELECT j FROM read_csv($json_path, header = false, auto_detect = false, columns = {'j': 'VARCHAR'}, delim = chr(0), quote = '', ` +
      `escape = '', strict_mode = true, ${csvLineSizeOptions(input.maxRecordBytes + 2)}) ` +
      // Blank lines are not records; `trim` is only paid by lines that start with a control or space character.
      `WHERE j IS NOT NULL AND CASE WHEN ascii(j) > 32 THEN true ELSE trim(j, ${WHITESPACE_SQL}) <> '' END`,
    params,
  };
  return { kind: 'rows', direct: directJsonRelation(input.fields, 'newline_delimited', params, input.maxRecordBytes), fast: jsonRelation(plan, lines, 'position', 'line'), exact };
}

/** `maximum_object_size` for records already known to be at most `maxRecordBytes` (line ends and slack on top). */
function jsonReaderObjectSize(maxRecordBytes: number): number {
  return maxRecordBytes + 1024;
}

/** Whether an element the splitter found (within the size limit) is not JSON. */
async function hasInvalidElement(connection: DuckDBConnection, scan: BoundSql): Promise<boolean> {
  const result = await connection.runAndReadAll(`SELECT count(*) FROM (${scan.sql}) WHERE "$problem" IS NULL AND NOT json_valid(j)`, scan.params);
  return Number(result.getRows()[0]?.[0] ?? 0) > 0;
}

/**
 * The optimistic relation: DuckDB's JSON reader reads each record's top-level fields (objects as maps of their
 * keys to JSON values), and throws on anything but a file of objects whose objects are where the schema has
 * them. A record qualifies when every object on the way to the declared fields (the record included) holds
 * only declared keys, once each, and every nested key holding a value other than null holds an object; its
 * values are then exactly what the checked relation reads. The record's own keys come from a second, cheaper
 * scan of the file (the reader drops undeclared top-level keys): one unqualified record anywhere, and every row
 * gets a `"$problem"`. A `"$problem"` makes the optimistic pass give way to the checked passes, where dotted keys,
 * undeclared keys and the rest are sorted out.
 */
function directJsonRelation(fields: readonly EffectiveField[], format: 'array' | 'newline_delimited', params: BoundSql['params'], maxRecordBytes: number): DirectRelation {
  const containers = new Map<string, Set<string>>([['', new Set(['identityMap', 'segmentMembership'])]]);
  for (const field of fields) {
    const segments = field.path.split('.');
    segments.forEach((segment, depth) => {
      const parent = segments.slice(0, depth).join('.');
      let children = containers.get(parent);
      if (!children) containers.set(parent, (children = new Set()));
      children.add(segment);
    });
  }
  const rootKeys = [...(containers.get('') ?? [])];
  const isContainer = (logical: string) => containers.has(logical);
  // Top-level objects are read as maps by the reader; deeper ones are their parent's value cast to a map.
  const mapColumn = new Map([...containers.keys()].map((container, index) => [container, container.includes('.') ? `"$m${index}"` : quoteIdentifier(container)]));
  const valueAt = (fullPath: string) => {
    const cut = fullPath.lastIndexOf('.');
    return cut === -1 ? quoteIdentifier(fullPath) : `${mapColumn.get(fullPath.slice(0, cut))}[${sqlString(fullPath.slice(cut + 1))}]`;
  };
  const nested = [...containers.keys()].filter((container) => container.includes('.')).sort((a, b) => a.split('.').length - b.split('.').length);
  const stages = nested.map((container) => `TRY_CAST(${valueAt(container)} AS MAP(VARCHAR, JSON)) AS ${mapColumn.get(container)}`);
  // As many entries as declared keys present: no undeclared key, no key twice.
  const onlyDeclared = (map: string, keys: Iterable<string>) =>
    `cardinality(${map}) = ${[...keys].map((key) => `map_contains(${map}, ${sqlString(key)})::INTEGER`).join(' + ')}`;
  const qualifies = [
    '"$unqualified_records" = 0',
    ...[...containers.keys()]
      .filter((container) => container !== '')
      .map((container) => {
        const map = mapColumn.get(container) as string;
        const declared = onlyDeclared(map, containers.get(container) ?? []);
        return container.includes('.') ? `(${valueAt(container)} IS NULL OR (${map} IS NOT NULL AND ${declared}))` : `(${map} IS NULL OR ${declared})`;
      }),
  ].join(' AND ');
  const readerColumns = rootKeys.map((key) => `${sqlString(key)}: ${sqlString(isContainer(key) ? 'MAP(VARCHAR, JSON)' : 'JSON')}`).join(', ');
  const reader = (columns: string) =>
    `read_json($json_path, format = ${sqlString(format)}, ${columns}, maximum_object_size = ${jsonReaderObjectSize(maxRecordBytes)})`;
  const unqualified =
    `SELECT count(*) AS "$unqualified_records" FROM ${reader(`records = false, columns = {'json': 'MAP(VARCHAR, JSON)'}`)} ` +
    `WHERE NOT coalesce(${onlyDeclared('json', rootKeys)}, false)`;
  const lookups = fields.map((field) => `${valueAt(field.path)}::VARCHAR AS "$x${field.index}"`);
  const values = fields.flatMap((field) => {
    const value = `"$x${field.index}"`;
    return [
      `CASE WHEN left(${value}, 1) <> '"' THEN ${value} WHEN contains(${value}, '\\') THEN json_extract_string(${value}, '$') ` +
        `ELSE substr(${value}, 2, length(${value}) - 2) END AS v${field.index}`,
      `coalesce(left(${value}, 1) IN ('{', '['), false) AS k${field.index}`,
    ];
  });
  let from = `(SELECT * FROM ${reader(`records = true, columns = {${readerColumns}}`)}, (${unqualified}))`;
  for (const stage of stages) from = `(SELECT *, ${stage} FROM ${from})`;
  from = `(SELECT *, ${lookups.join(', ')} FROM ${from})`;
  const columns = [
    'NULL::BIGINT AS "$row"',
    `CASE WHEN NOT coalesce(${qualifies}, false) THEN 'checked pass needed' END AS "$problem"`,
    'NULL::JSON AS "$record"',
    'NULL::VARCHAR AS "$unknown"',
    `${valueAt('identityMap')}::VARCHAR AS "$identity_map"`,
    `${valueAt('segmentMembership')}::VARCHAR AS "$segment_membership"`,
    ...values,
  ];
  return { sql: `SELECT ${columns.join(', ')} FROM ${from}`, params, hasIdentityMap: true, hasSegmentMembership: true };
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
  readonly segmentMembershipPosition: number;
  /** The same for the usual record, where every key is a single declared segment: fully nested paths only. */
  readonly nested: NestedPathPlan;
}

/**
 * A record whose objects (the record and each nested container on the way to a field) hold only declared,
 * undotted keys — the usual record — has no undeclared key and no other spelling of any path: it is read
 * from `jsonPaths` (1-based positions below) and the keys of the `containers` (`"$kn"[1]` the record's).
 */
interface NestedPathPlan {
  readonly jsonPaths: readonly string[];
  readonly fieldPositions: ReadonlyMap<number, number>;
  readonly identityMapPosition: number;
  readonly segmentMembershipPosition: number;
  /** Positions of the record's allowed keys. */
  readonly rootChildren: readonly number[];
  /** Per nested container: its position, and the positions of its allowed keys (its keys are `"$kn"[index + 2]`). */
  readonly containers: readonly { readonly position: number; readonly children: readonly number[] }[];
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
  return { jsonPaths, fieldSpellings, containers, rootAllowedKeys: [...known, 'identityMap', 'segmentMembership'], identityMapPosition: position('$."identityMap"'), segmentMembershipPosition: position('$."segmentMembership"'), nested: nestedPathPlan(fields, containerPaths) };
}

function nestedPathPlan(fields: readonly EffectiveField[], containerPaths: readonly string[]): NestedPathPlan {
  const jsonPaths: string[] = [];
  const position = (segments: readonly string[]) => {
    const jsonPath = `$${segments.map((segment) => `."${segment}"`).join('')}`;
    const existing = jsonPaths.indexOf(jsonPath);
    if (existing !== -1) return existing + 1;
    jsonPaths.push(jsonPath);
    return jsonPaths.length;
  };
  const fieldPositions = new Map(fields.map((field) => [field.index, position(field.path.split('.'))]));
  const all = [...fields.map((field) => field.path), ...containerPaths, 'identityMap', 'segmentMembership'].map((logical) => logical.split('.'));
  const childrenOf = (prefix: readonly string[]) => {
    const names = new Set(all.filter((segments) => segments.length > prefix.length && prefix.every((segment, index) => segments[index] === segment)).map((segments) => segments[prefix.length] as string));
    return [...names].map((name) => position([...prefix, name]));
  };
  const rootChildren = childrenOf([]);
  const containers = containerPaths.map((containerPath) => {
    const segments = containerPath.split('.');
    return { position: position(segments), children: childrenOf(segments) };
  });
  return { jsonPaths, fieldPositions, identityMapPosition: position(['identityMap']), segmentMembershipPosition: position(['segmentMembership']), rootChildren, containers };
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
 * `"$row"`, `"$problem"`, `"$raw"` columns (`numbering` = `columns`, from the sanitizer) or rows numbered by position.
 * `unit` names what a record is in messages (`line` or `element`).
 */
function jsonRelation(plan: JsonPathPlan, scan: BoundSql, numbering: 'position' | 'columns', unit: 'line' | 'element'): SourceRelation {
  // `"$xs"`: the values as JSON text (NULL when absent), one parse of the record; `"$x<i>"`: the field's value (its
  // first spelling that is present and not JSON null). Strings are unquoted from that text: by slicing when it
  // has no escape (the writer escapes nothing else), else by `json_extract_string` on the value alone — a
  // second extraction of every path from the whole record costs as much as the first.
  const json = (index: number) => `NULLIF("$xs"[${index}], 'null')`;
  const nestedJson = (index: number) => `NULLIF("$xn"[${index}], 'null')`;
  const firstValues = [...plan.fieldSpellings].map(
    ([fieldIndex, positions]) =>
      `(CASE WHEN "$usual" THEN ${nestedJson(plan.nested.fieldPositions.get(fieldIndex) as number)} ELSE coalesce(${positions.map(json).join(', ')}) END)::VARCHAR AS "$x${fieldIndex}"`,
  );
  const values = [...plan.fieldSpellings].flatMap(([fieldIndex]) => {
    const value = `"$x${fieldIndex}"`;
    return [
      `CASE WHEN left(${value}, 1) <> '"' THEN ${value} WHEN contains(${value}, '\\') THEN json_extract_string(${value}, '$') ` +
        `ELSE substr(${value}, 2, length(${value}) - 2) END AS v${fieldIndex}`,
      `coalesce(left(${value}, 1) IN ('{', '['), false) AS k${fieldIndex}`,
    ];
  });
  // `"$ks"`: the keys of the record (`"$ks"[1]`) and of each container spelling (`"$ks"[i + 2]`; [] when not an object,
  // NULL when absent), found in the same single parse of the record.
  const keysOf = (containerIndex: number) => `coalesce("$ks"[${containerIndex + 2}], []::VARCHAR[])`;
  // An object has only allowed keys when it has as many keys as allowed keys are present in it (a repeated key
  // fails this too, and falls to the exact search below, as does anything else this cannot decide); presence
  // comes from `"$xs"`, which holds every allowed key's path. Cheaper than `list_has_all` on every row.
  const onlyAllowedKeys = (keys: string, objectPath: string, allowedKeys: readonly string[]) => {
    const positions = allowedKeys.map((key) => plan.jsonPaths.indexOf(`${objectPath}."${key}"`) + 1);
    if (positions.includes(0)) return `list_has_all(${sqlStringList(allowedKeys)}, ${keys})`;
    return `len(${keys}) = ${positions.length === 0 ? '0' : positions.map((position) => `("$xs"[${position}] IS NOT NULL)::INTEGER`).join(' + ')}`;
  };
  const allowedHere = [
    onlyAllowedKeys('"$ks"[1]', '$', plan.rootAllowedKeys),
    ...plan.containers.map((container, containerIndex) => {
      const containerJson = `"$xs"[${container.position}]`;
      const keysHere = onlyAllowedKeys(`"$ks"[${containerIndex + 2}]`, plan.jsonPaths[container.position - 1] as string, container.allowedKeys);
      return `(${containerJson} IS NULL OR (left(${containerJson}, 1) = '{' AND ${keysHere}) OR ${containerJson} = 'null')`;
    }),
  ].join(' AND ');
  // Only records with a key the schema does not know pay for finding which one (lambdas per key).
  const unknownLists = [
    `list_filter("$ks"[1], lambda "$key": NOT list_contains(${sqlStringList(plan.rootAllowedKeys)}, "$key"))`,
    ...plan.containers.flatMap((container, containerIndex) => [
      `list_transform(list_filter(${keysOf(containerIndex)}, lambda "$key": NOT list_contains(${sqlStringList(container.allowedKeys)}, "$key")), lambda "$key": ${sqlString(`${container.path}.`)} || "$key")`,
      `CASE WHEN json_type("$xs"[${container.position}]) NOT IN ('OBJECT', 'NULL') THEN [${sqlString(container.path)}] ELSE []::VARCHAR[] END`,
    ]),
  ];
  const problem =
    `CASE WHEN "$problem" IS NOT NULL THEN "$problem" WHEN "$doc" IS NULL THEN ${sqlString(unit === 'line' ? 'line is not valid JSON' : 'array element is null')} ` +
    `WHEN "$type" <> 'OBJECT' THEN ${sqlString(`${unit} is not a JSON object`)} END`;
  const columns = [
    '"$row"',
    `${problem} AS "$problem"`,
    `CASE WHEN "$doc" IS NULL THEN to_json(coalesce("$raw", j::VARCHAR)) ELSE ${standardJsonSql('"$doc"::JSON', 'j::VARCHAR')} END AS "$record"`,
    `CASE WHEN "$usual" OR "$type" <> 'OBJECT' OR (${allowedHere}) THEN NULL ELSE flatten([${unknownLists.map((list) => `coalesce(${list}, []::VARCHAR[])`).join(', ')}])[1] END AS "$unknown"`,
    `(CASE WHEN "$usual" THEN ${nestedJson(plan.nested.identityMapPosition)} ELSE ${json(plan.identityMapPosition)} END)::VARCHAR AS "$identity_map"`,
    `(CASE WHEN "$usual" THEN ${nestedJson(plan.nested.segmentMembershipPosition)} ELSE ${json(plan.segmentMembershipPosition)} END)::VARCHAR AS "$segment_membership"`,
    ...values,
  ];
  const staged = {
    position: `SELECT rowid + 1 AS "$row", NULL::VARCHAR AS "$problem", NULL::VARCHAR AS "$raw", j FROM ${STAGED_ROWS_TABLE}`,
    columns: `SELECT "$row", "$problem", "$raw", j FROM ${STAGED_ROWS_TABLE}`,
  }[numbering];
  const paths = sqlStringList(plan.jsonPaths);
  const keyPaths = sqlStringList(['$', ...plan.containers.map((container) => plan.jsonPaths[container.position - 1] as string)]);
  // `"$doc"`: the record as JSON text, NULL when it is not JSON. A line is text: `json_valid` accepts exactly what
  // the JSON cast does, at a third of the cost (only rejected rows' `"$record"` pays for the cast). An array
  // element comes typed from read_json and is cast once.
  const doc = unit === 'line' ? 'CASE WHEN json_valid(j) THEN j::VARCHAR END' : 'TRY_CAST(j AS JSON)::VARCHAR';
  const validJson = `SELECT *, ${doc} AS "$doc" FROM (${staged})`;
  // The usual record (see NestedPathPlan) is read from its nested paths alone; only the others extract every
  // spelling and their keys (`"$xs"`, `"$ks"`) for the exact search of undeclared keys.
  const { nested } = plan;
  const presentCount = (children: readonly number[]) =>
    children.length === 0 ? '0' : children.map((child) => `("$xn"[${child}] IS NOT NULL)::INTEGER`).join(' + ');
  const usual = [
    `"$type" = 'OBJECT'`,
    `len("$kn"[1]) = ${presentCount(nested.rootChildren)}`,
    ...nested.containers.map(
      (container, index) =>
        `("$xn"[${container.position}] IS NULL OR "$xn"[${container.position}] = 'null' OR ` +
        `(left("$xn"[${container.position}], 1) = '{' AND len("$kn"[${index + 2}]) = ${presentCount(container.children)}))`,
    ),
  ].join(' AND ');
  const nestedKeyPaths = sqlStringList(['$', ...nested.containers.map((container) => nested.jsonPaths[container.position - 1] as string)]);
  const screened =
    `SELECT *, coalesce(${usual}, false) AS "$usual" FROM (SELECT *, json_extract("$doc", ${sqlStringList(nested.jsonPaths)}) AS "$xn", ` +
    `json_keys("$doc", ${nestedKeyPaths}) AS "$kn", CASE WHEN left("$doc", 1) = '{' THEN 'OBJECT' ELSE json_type("$doc") END AS "$type" FROM (${validJson}))`;
  const extracted =
    `SELECT *, CASE WHEN NOT "$usual" THEN json_extract("$doc", ${paths}) END AS "$xs", ` +
    `CASE WHEN NOT "$usual" THEN json_keys("$doc", ${keyPaths}) END AS "$ks" FROM (${screened})`;
  const parsed = `SELECT *, ${firstValues.join(', ')} FROM (${extracted})`;
  return {
    staging: stagingSql(scan),
    sql: `SELECT ${columns.join(', ')} FROM (${parsed})`,
    params: {},
    hasIdentityMap: true,
    hasSegmentMembership: true,
    count: { sql: `SELECT count(*) AS n FROM ${STAGED_ROWS_TABLE}`, params: {} },
  };
}
