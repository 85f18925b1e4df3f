// Attribute merge in DuckDB (SPEC §4.3): one statement turns every fragment of a scope into one row per profile.
import type { LakeDataset, MergeRules } from '../engine.js';
import type { SchemaField } from '../lake-schema.js';
import { declaredFields, quoteIdentifier, sqlStringLiteral, sqlTypeOf, type SourceView } from './lake-sources-sql.js';
import { GRAPH_FILES } from './stitching-sql.js';

/** The merged table's file name inside its cache directory. */
export const PROFILES_FILE = 'profiles.parquet';

/**
 * System columns of the merged table; every other column is an attribute named by its dot path.
 * `__profile` is the node of the profile key identity (see GRAPH_FILES), `__primary_node` the node of the
 * identity flagged primary, `__sources` the sorted ids of the profile datasets with fragments in the profile.
 */
export const PROFILE_SYSTEM_COLUMNS = ['__profile', '__profile_key', '__primary_node', '__sources', '__last_modified_at'] as const;

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
 * Fragment age, oldest first: `_fragment_time` (timestampField value, else batch completion), then
 * `_batch_completed_at`, then the batch's position (`batchDirs` order), then file name and row — so for fully
 * equal times the later batch wins, then the later file, then the later row.
 */
const FRAGMENT_AGE = '_fragment_time NULLS FIRST, _batch_completed_at NULLS FIRST, _batch, _file, _row, _rn';

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
    `SELECT ${sqlStringLiteral(source.dataset.id)} AS _ds, ${precedence ?? 0} AS _prec, _primary_ns, _primary_id, ` +
    `_fragment_time, _batch_completed_at, _batch, _file, _row, _rn${values.map((value) => `, ${value}`).join('')} FROM ${source.view}`
  );
}

function emptyFragments(fields: readonly SchemaField[]): string {
  const values = fields.map((field) => `, CAST(NULL AS ${sqlTypeOf(field)}) AS ${quoteIdentifier(field.path)}`).join('');
  return (
    'SELECT NULL::VARCHAR AS _ds, 0 AS _prec, NULL::VARCHAR AS _primary_ns, NULL::VARCHAR AS _primary_id, NULL::TIMESTAMP AS _fragment_time, ' +
    `NULL::TIMESTAMP AS _batch_completed_at, NULL::INTEGER AS _batch, NULL::VARCHAR AS _file, NULL::BIGINT AS _row, NULL::BIGINT AS _rn${values} WHERE false`
  );
}

/**
 * The merge as one SELECT: fragments are joined to their profile through the identity graph (pdg: the
 * component of the record's primary identity; none: the primary identity itself), numbered by age
 * (`_tseq`) and by merge rank (`_mseq` = precedence weight, then age), and each attribute takes
 * `arg_max(value, _mseq) FILTER (WHERE value IS NOT NULL)`: null means absent, empty strings and lists are
 * values, lists are taken whole. Profiles made of events only get a row with null attributes. The primary
 * identity is the primary of the newest profile fragment (else of the newest event); `__last_modified_at` is
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
    ({ view }) => `SELECT _primary_ns, _primary_id, _fragment_time, _batch_completed_at, _batch, _file, _row, _rn FROM ${view}`,
  );
  const attributeColumns = fields.map((field) => quoteIdentifier(field.path));
  const merged = attributeColumns.map((column) => `, arg_max(${column}, _mseq) FILTER (WHERE ${column} IS NOT NULL) AS ${column}`).join('');
  const eventTimes =
    eventRows.length === 0
      ? 'SELECT NULL::BIGINT AS __profile, NULL::TIMESTAMP AS _last, NULL::BIGINT AS _primary WHERE false'
      : `SELECT ${profileOf} AS __profile, max(e._fragment_time) AS _last,
           arg_max(i.node, {'t': e._fragment_time, 'c': e._batch_completed_at, 'b': e._batch, 'f': e._file, 'r': e._row, 'n': e._rn}) AS _primary
         FROM (${eventRows.join(' UNION ALL ')}) e
         JOIN identities i ON i.nsu = upper(e._primary_ns) AND i.id = e._primary_id ${joinProfile}
         GROUP BY ${profileOf}`;
  return `WITH identities AS (SELECT node, nsu, id, ns FROM ${graph(GRAPH_FILES.identities)}),
  members AS (SELECT profile, node FROM ${graph(GRAPH_FILES.members)}),
  fragments AS (${fragments}),
  profiled AS (
    SELECT ${profileOf} AS __profile, i.node AS _pnode, f.*,
      row_number() OVER (ORDER BY ${FRAGMENT_AGE}) AS _tseq,
      row_number() OVER (ORDER BY _prec, ${FRAGMENT_AGE}) AS _mseq
    FROM fragments f JOIN identities i ON i.nsu = upper(f._primary_ns) AND i.id = f._primary_id ${joinProfile}),
  merged AS (
    SELECT __profile, max(_fragment_time) AS _last, arg_max(_pnode, _tseq) AS _primary, list_sort(list(DISTINCT _ds)) AS _sources${merged}
    FROM profiled GROUP BY __profile),
  event_times AS (${eventTimes}),
  all_profiles AS (SELECT DISTINCT profile AS __profile FROM members)
SELECT a.__profile, k.ns || ':' || k.id AS __profile_key, coalesce(m._primary, e._primary) AS __primary_node,
  coalesce(m._sources, []::VARCHAR[]) AS __sources, coalesce(m._last, e._last) AS __last_modified_at${attributeColumns.map((column) => `, m.${column}`).join('')}
FROM all_profiles a JOIN identities k ON k.node = a.__profile
LEFT JOIN merged m ON m.__profile = a.__profile LEFT JOIN event_times e ON e.__profile = a.__profile
ORDER BY a.__profile`;
}

/** {@link mergedProfilesSql} written to `<outputDir>/profiles.parquet`, sorted by profile for point lookups. */
export function mergedProfilesCopySql(input: MergeStatementInput, outputDir: string): string {
  return `COPY (${mergedProfilesSql(input)}) TO ${sqlStringLiteral(`${outputDir}/${PROFILES_FILE}`)} (FORMAT parquet)`;
}
