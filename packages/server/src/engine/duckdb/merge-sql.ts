// Attribute merge in DuckDB (SPEC §4.3): one statement turns every fragment of a scope into one row per profile.
import type { LakeDataset, MergeRules } from '../engine.js';
import type { SchemaField } from '../lake-schema.js';
import { declaredFields, quoteIdentifier, sqlStringLiteral, sqlTypeOf, type SourceView } from './lake-sources-sql.js';
import { GRAPH_FILES } from './stitching-sql.js';

/** The merged table's file name inside its cache directory. */
export const PROFILES_FILE = 'profiles.parquet';

/**
 * System columns of the merged table; every other column is an attribute named by its dot path.
 * `"$profile"` is the node of the profile key identity (see GRAPH_FILES), `"$primary_node"` the node of the
 * identity flagged primary, `"$sources"` the sorted ids of the profile datasets with fragments in the profile.
 */
export const PROFILE_SYSTEM_COLUMNS = ['$profile', '$profile_key', '$primary_node', '$sources', '$last_modified_at'] as const;

/**
 * The union schema of profile datasets: one column per path (same path = same column; the catalog
 * guarantees equal types), in first-declaration order over `datasets`.
 */
export function unionProfileFields(datasets: readonly LakeDataset[]): readonly SchemaField[] {
  const byPath = new Map<string, SchemaField>();
  for (const dataset of datasets) {
    for (const field of declaredFields(dataset)) if (!byPath.has(field.path)) byPath.set(field.path, field);
  }
  return [...byPath.values()];
}

/**
 * Precedence weight of a dataset's values: 0 for every dataset under timestampOrdered; under dataSetPrecedence
 * `order.length − index` for listed datasets (first listed weighs most) and `undefined` for unlisted ones,
 * whose attributes are not merged.
 */
export function precedenceOf(rules: MergeRules, datasetId: string): number | undefined {
  if (rules.attributeMerge.type === 'timestampOrdered') return 0;
  const index = rules.attributeMerge.order.indexOf(datasetId);
  return index < 0 ? undefined : rules.attributeMerge.order.length - index;
}

/**
 * Fragment age, oldest first: `"$fragment_time"` (timestampField value, else batch completion), then
 * `"$batch_completed_at"`, then the batch's position (`batchDirs` order), then file name and row — so for fully
 * equal times the later batch wins, then the later file, then the later row.
 */
const FRAGMENT_AGE = '"$fragment_time" NULLS FIRST, "$batch_completed_at" NULLS FIRST, "$batch", "$file", "$row", "$rn"';

export interface MergeStatementInput {
  readonly profiles: readonly SourceView[];
  readonly events: readonly SourceView[];
  readonly rules: MergeRules;
  /** Directory holding the published GRAPH_FILES of the same scope and identity-graph type. */
  readonly graphDir: string;
}

function fragmentSelect(source: SourceView, fields: readonly SchemaField[], rules: MergeRules): string {
  const precedence = precedenceOf(rules, source.dataset.id);
  const declared = new Set(declaredFields(source.dataset).map((field) => field.path));
  const values = fields.map((field) => {
    const column = quoteIdentifier(field.path);
    return precedence !== undefined && declared.has(field.path) ? column : `CAST(NULL AS ${sqlTypeOf(field)}) AS ${column}`;
  });
  return (
    `SELECT ${sqlStringLiteral(source.dataset.id)} AS "$ds", ${precedence ?? 0} AS "$prec", "$primary_ns", "$primary_id", ` +
    `"$fragment_time", "$batch_completed_at", "$batch", "$file", "$row", "$rn"${values.map((value) => `, ${value}`).join('')} FROM ${source.view}`
  );
}

function emptyFragments(fields: readonly SchemaField[]): string {
  const values = fields.map((field) => `, CAST(NULL AS ${sqlTypeOf(field)}) AS ${quoteIdentifier(field.path)}`).join('');
  return (
    'SELECT NULL::VARCHAR AS "$ds", 0 AS "$prec", NULL::VARCHAR AS "$primary_ns", NULL::VARCHAR AS "$primary_id", NULL::TIMESTAMP AS "$fragment_time", ' +
    `NULL::TIMESTAMP AS "$batch_completed_at", NULL::INTEGER AS "$batch", NULL::VARCHAR AS "$file", NULL::BIGINT AS "$row", NULL::BIGINT AS "$rn"${values} WHERE false`
  );
}

/**
 * The merge as one SELECT: fragments are joined to their profile through the identity graph (pdg: the
 * component of the record's primary identity; none: the primary identity itself), numbered by age
 * (`"$tseq"`) and by merge rank (`"$mseq"` = precedence weight, then age), and each attribute takes
 * `arg_max(value, "$mseq") FILTER (WHERE value IS NOT NULL)`: null means absent, empty strings and lists are
 * values, lists are taken whole. Profiles made of events only get a row with null attributes. The primary
 * identity is the primary of the newest profile fragment (else of the newest event); `"$last_modified_at"` is
 * the newest profile fragment time (else the newest event fragment time).
 */
export function mergedProfilesSql(input: MergeStatementInput): string {
  const fields = unionProfileFields(input.profiles.map((source) => source.dataset));
  const graph = (file: string) => `read_parquet(${sqlStringLiteral(`${input.graphDir}/${file}`)})`;
  const pdg = input.rules.identityGraph === 'pdg';
  const profileOf = pdg ? 'm.profile' : 'i.node';
  const joinProfile = pdg ? 'JOIN members m ON m.node = i.node' : '';
  const fragments = input.profiles.length > 0 ? input.profiles.map((source) => fragmentSelect(source, fields, input.rules)).join(' UNION ALL ') : emptyFragments(fields);
  const eventRows = input.events.map(
    ({ view }) => `SELECT "$primary_ns", "$primary_id", "$fragment_time", "$batch_completed_at", "$batch", "$file", "$row", "$rn" FROM ${view}`,
  );
  const attributeColumns = fields.map((field) => quoteIdentifier(field.path));
  const merged = attributeColumns.map((column) => `, arg_max(${column}, "$mseq") FILTER (WHERE ${column} IS NOT NULL) AS ${column}`).join('');
  const eventTimes =
    eventRows.length === 0
      ? 'SELECT NULL::BIGINT AS "$profile", NULL::TIMESTAMP AS "$last", NULL::BIGINT AS "$primary" WHERE false'
      : `SELECT ${profileOf} AS "$profile", max(e."$fragment_time") AS "$last",
           arg_max(i.node, {'t': e."$fragment_time", 'c': e."$batch_completed_at", 'b': e."$batch", 'f': e."$file", 'r': e."$row", 'n': e."$rn"}) AS "$primary"
         FROM (${eventRows.join(' UNION ALL ')}) e
         JOIN identities i ON i.nsu = upper(e."$primary_ns") AND i.id = e."$primary_id" ${joinProfile}
         GROUP BY ${profileOf}`;
  return `WITH identities AS (SELECT node, nsu, id, ns FROM ${graph(GRAPH_FILES.identities)}),
  members AS (SELECT profile, node FROM ${graph(GRAPH_FILES.members)}),
  fragments AS (${fragments}),
  profiled AS (
    SELECT ${profileOf} AS "$profile", i.node AS "$pnode", f.*,
      row_number() OVER (ORDER BY ${FRAGMENT_AGE}) AS "$tseq",
      row_number() OVER (ORDER BY "$prec", ${FRAGMENT_AGE}) AS "$mseq"
    FROM fragments f JOIN identities i ON i.nsu = upper(f."$primary_ns") AND i.id = f."$primary_id" ${joinProfile}),
  merged AS (
    SELECT "$profile", max("$fragment_time") AS "$last", arg_max("$pnode", "$tseq") AS "$primary", list_sort(list(DISTINCT "$ds")) AS "$sources"${merged}
    FROM profiled GROUP BY "$profile"),
  event_times AS (${eventTimes}),
  all_profiles AS (SELECT DISTINCT profile AS "$profile" FROM members)
SELECT a."$profile", k.ns || ':' || k.id AS "$profile_key", coalesce(m."$primary", e."$primary") AS "$primary_node",
  coalesce(m."$sources", []::VARCHAR[]) AS "$sources", coalesce(m."$last", e."$last") AS "$last_modified_at"${attributeColumns.map((column) => `, m.${column}`).join('')}
FROM all_profiles a JOIN identities k ON k.node = a."$profile"
LEFT JOIN merged m ON m."$profile" = a."$profile" LEFT JOIN event_times e ON e."$profile" = a."$profile"
ORDER BY a."$profile"`;
}

/** {@link mergedProfilesSql} written to `<outputDir>/profiles.parquet`, sorted by profile for point lookups. */
export function mergedProfilesCopySql(input: MergeStatementInput, outputDir: string): string {
  return `COPY (${mergedProfilesSql(input)}) TO ${sqlStringLiteral(`${outputDir}/${PROFILES_FILE}`)} (FORMAT parquet)`;
}
