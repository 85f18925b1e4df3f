// The relations compiled audiences read (seg-contract §1): "$profiles" (merged attributes), "$events", "$memberships".
//
// Built as temp tables of one connection from the profile engine's derived tables, with only the columns the
// audiences use, so cost follows the fields used and not the union schema. The merge is the SQL twin of
// `mergeFragments` (profile-merge.ts): per path, the non-null value of the fragment with the highest rank
// (precedence weight, then fragment age: time, batch completion, batch, file, row, row in part).
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LakeDataset, MergeRules, ProfileScope } from '../engine.js';
import type { ScalarFieldType, SchemaField } from '../lake-schema.js';
import type { DerivedProfileTables } from './duckdb-profiles.js';
import { canonicalDatasets, createSourceViews, declaredFields, quoteIdentifier, sqlTypeOf } from './lake-sources-sql.js';
import { precedenceOf, storesLong } from './merge-sql.js';
import { readAllShardsSql, readShardSql } from './sharded-parquet.js';

/** Prefix of the event paths in `AudienceQuery.fields` (CheckResult.fields). */
const EVENT_PREFIX = 'xEvent.';
/** Event columns every "$events" row has, whatever the audiences use. */
const EVENT_SYSTEM_FIELDS = new Set(['timestamp', '_id']);

/** The profile paths and event paths (without `xEvent.`, without `timestamp`/`_id`) of a set of audiences' fields. */
export function splitFields(fields: readonly string[]): { readonly profile: readonly string[]; readonly event: readonly string[] } {
  const profile = new Set<string>();
  const event = new Set<string>();
  for (const field of fields) {
    if (field.startsWith(EVENT_PREFIX)) {
      const eventPath = field.slice(EVENT_PREFIX.length);
      if (!EVENT_SYSTEM_FIELDS.has(eventPath)) event.add(eventPath);
    } else profile.add(field);
  }
  return { profile: [...profile], event: [...event] };
}

/** The type of each path `datasets` declare: its first declaration. */
function typesOf(paths: readonly string[], datasets: readonly LakeDataset[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const dataset of datasets) {
    for (const field of declaredFields(dataset)) if (paths.includes(field.path) && !types.has(field.path)) types.set(field.path, sqlTypeOf(field));
  }
  return types;
}

/**
 * Creates relation `name` from `select`. Paths no dataset of the scope declares (the catalogue may know them from
 * datasets outside it) have no type: they are untyped NULL columns of a view over the rest, which compare with any
 * type, so an audience reading them sees missing values rather than a type error.
 */
async function publish(connection: DuckDBConnection, name: '$profiles' | '$events', kind: 'TABLE' | 'VIEW', select: string, undeclared: readonly string[]): Promise<void> {
  if (undeclared.length === 0) {
    await connection.run(`CREATE OR REPLACE TEMP ${kind} ${quoteIdentifier(name)} AS ${select}`);
    return;
  }
  const declared = quoteIdentifier(`$declared_${name.slice(1)}`);
  await connection.run(`CREATE OR REPLACE TEMP ${kind} ${declared} AS ${select}`);
  await connection.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdentifier(name)} AS SELECT *, ${undeclared.map((fieldPath) => `NULL AS ${quoteIdentifier(fieldPath)}`).join(', ')} FROM ${declared}`);
}

/** The rank of a fragment row in the merge (higher wins): precedence weight, then age (compareFragmentAge). */
function rankSql(precedence: number): string {
  return `{'p': ${precedence}, 't': "$fragment_time", 'c': "$batch_completed_at", 'b': "$batch", 'f': "$file", 'r': "$row", 'n': "$rn"}`;
}

/** A value of the long form (`"$value"` text or element `text`) back in its declared type (storedScalarSql in reverse). */
function parseStoredSql(text: string, type: ScalarFieldType): string {
  switch (type) {
    case 'string':
      return text;
    case 'boolean':
      return `(${text} = 'true')`;
    case 'date-time':
      return `make_timestamp(CAST(${text} AS BIGINT) * 1000)`;
    default:
      return `CAST(${text} AS ${sqlTypeOf({ type })})`;
  }
}

/** The rows of one dataset's fragments table that carry a used path: `"$profile"`, `"$rank"` and one column per used path it declares. */
function fragmentRowsSql(dataset: LakeDataset, dir: string, precedence: number, used: readonly string[], range: ProfileRange | undefined): string | undefined {
  const fields = declaredFields(dataset);
  const declared = fields.map((field, index) => ({ field, index })).filter(({ field }) => used.includes(field.path));
  if (declared.length === 0) return undefined;
  // A range reads its shard only (ranges are shard-aligned): no other shard's files are even listed.
  const table = range === undefined ? readAllShardsSql(dir) : readShardSql(dir, range.from);
  if (table === undefined) return undefined;
  // Literal bounds, so that the Parquet reader skips the files and row groups of other profiles by their statistics.
  const within = range === undefined ? '' : `"$profile" >= ${range.from} AND "$profile" < ${range.to} AND `;
  if (!storesLong(dataset)) {
    const columns = declared.map(({ field }) => quoteIdentifier(field.path));
    return `SELECT "$profile", ${rankSql(precedence)} AS "$rank", ${columns.join(', ')} FROM ${table} WHERE ${within}(${columns.map((column) => `${column} IS NOT NULL`).join(' OR ')})`;
  }
  const columns = declared.map(({ field, index }) => `CASE WHEN "$field" = ${index} THEN ${longValueSql(field)} END AS ${quoteIdentifier(field.path)}`);
  return `SELECT "$profile", ${rankSql(precedence)} AS "$rank", ${columns.join(', ')} FROM ${table} WHERE ${within}"$field" IN (${declared.map(({ index }) => index).join(', ')})`;
}

/** Profile node numbers `[from, to)` inside one shard of the derived tables (sharded-parquet.ts). */
export interface ProfileRange {
  readonly from: bigint;
  readonly to: bigint;
}

function longValueSql(field: SchemaField): string {
  return field.type === 'array'
    ? `list_transform("$list", lambda "$e": ${parseStoredSql('"$e"', field.items ?? 'string')})`
    : parseStoredSql('"$value"', field.type);
}

export interface RelationsInput {
  readonly scope: ProfileScope;
  readonly tables: DerivedProfileTables;
  /** Union of the audiences' `fields`. */
  readonly fields: readonly string[];
  /** A relation with column `"$profile"`: only these profiles (a preview's sample); default every profile. */
  readonly onlyProfiles?: string;
  /** With `onlyProfiles`: the shard range holding all of them (an export's slice), so no other shard is read. */
  readonly profileRange?: ProfileRange;
}

/** All profiles of the identity graph (one row each, column `"$profile"`). */
export function allProfilesSql(tables: Pick<DerivedProfileTables, 'members'>): string {
  return `SELECT DISTINCT profile AS "$profile" FROM ${readAllShardsSql(tables.members)}`;
}

/** Creates temp table "$profiles": one row per profile, its merged value of each used profile path (NULL = missing). */
export async function createProfilesRelation(connection: DuckDBConnection, input: RelationsInput): Promise<void> {
  const { profile: wanted } = splitFields(input.fields);
  const { profiles } = canonicalDatasets(input.scope);
  const types = typesOf(wanted, profiles);
  const used = wanted.filter((fieldPath) => types.has(fieldPath));
  const undeclared = wanted.filter((fieldPath) => !types.has(fieldPath));
  const branches: string[] = [];
  for (const [index, dataset] of profiles.entries()) {
    const dir = input.tables.fragments[index];
    const precedence = precedenceOf(input.scope.rules, dataset.id);
    if (dir === undefined || precedence === undefined) continue;
    const branch = fragmentRowsSql(dataset, dir, precedence, used, input.profileRange);
    if (branch !== undefined) branches.push(branch);
  }
  const base = input.onlyProfiles === undefined ? allProfilesSql(input.tables) : `SELECT "$profile" FROM ${input.onlyProfiles}`;
  const column = (fieldPath: string) => quoteIdentifier(fieldPath);
  const typedNull = (fieldPath: string) => `CAST(NULL AS ${types.get(fieldPath) ?? 'VARCHAR'}) AS ${column(fieldPath)}`;
  if (branches.length === 0) {
    await publish(connection, '$profiles', 'TABLE', `SELECT "$profile"${used.map((fieldPath) => `, ${typedNull(fieldPath)}`).join('')} FROM (${base})`, undeclared);
    return;
  }
  // A branch lacks the paths its dataset does not declare (NULL in the union by name); the empty first branch types every path.
  const padding = `SELECT NULL::BIGINT AS "$profile"${used.map((fieldPath) => `, ${typedNull(fieldPath)}`).join('')} WHERE false`;
  // A slice (profileRange) ranks its fragments once with a window and takes arg_max by that BIGINT: ~3× faster than
  // arg_max by the rank struct on a 65,536-profile slice. The whole-scope path keeps the struct until measured at scale.
  const by = input.profileRange === undefined ? '"$rank"' : '"$order"';
  const merged = used.map((fieldPath) => `arg_max(${column(fieldPath)}, ${by}) FILTER (WHERE ${column(fieldPath)} IS NOT NULL) AS ${column(fieldPath)}`);
  const restrict = input.onlyProfiles === undefined ? '' : ` WHERE "$profile" IN (SELECT "$profile" FROM ${input.onlyProfiles})`;
  let rows = `SELECT * FROM (${[padding, ...branches].join(' UNION ALL BY NAME ')})${restrict}`;
  if (input.profileRange !== undefined) rows = `SELECT *, row_number() OVER (PARTITION BY "$profile" ORDER BY "$rank") AS "$order" FROM (${rows})`;
  const values = `SELECT "$profile", ${merged.join(', ')} FROM (${rows}) GROUP BY "$profile"`;
  const select =
    `SELECT "$all"."$profile"${used.map((fieldPath) => `, "$merged".${column(fieldPath)}`).join('')} ` +
    `FROM (${base}) AS "$all" LEFT JOIN (${values}) AS "$merged" ON "$merged"."$profile" = "$all"."$profile"`;
  await publish(connection, '$profiles', 'TABLE', select, undeclared);
}

/** The profile an event record belongs to, from its primary identity's graph row `"$node"` (pdg: component; none: the identity). */
function eventProfileSql(identityGraph: MergeRules['identityGraph']): string {
  return identityGraph === 'pdg' ? '"$node".profile' : '"$node".node';
}

/**
 * Creates "$events": one row per event of the scope's event datasets (repeated `_id`s collapsed as the lake views
 * do), `"$profile"`, `timestamp`, `_id` and each used event path. A temp table when `materialise` (some audience reads
 * events), else a temp view over the lake that costs nothing unless read.
 */
export async function createEventsRelation(connection: DuckDBConnection, input: RelationsInput & { readonly identities: string; readonly materialise: boolean }): Promise<void> {
  const { event: wanted } = splitFields(input.fields);
  const { events } = canonicalDatasets(input.scope);
  const types = typesOf(wanted, events);
  const used = wanted.filter((fieldPath) => types.has(fieldPath));
  const undeclared = wanted.filter((fieldPath) => !types.has(fieldPath));
  const typedNull = (fieldPath: string) => `CAST(NULL AS ${types.get(fieldPath) ?? 'VARCHAR'}) AS ${quoteIdentifier(fieldPath)}`;
  const empty = `SELECT NULL::BIGINT AS "$profile", NULL::TIMESTAMP AS "timestamp", NULL::VARCHAR AS "_id"${used.map((fieldPath) => `, ${typedNull(fieldPath)}`).join('')} WHERE false`;
  const withBatches = events.filter((dataset) => dataset.batchDirs.length > 0);
  if (withBatches.length === 0) {
    await publish(connection, '$events', 'TABLE', empty, undeclared);
    return;
  }
  const sources = await createSourceViews(connection, { profiles: [], events: withBatches });
  const restrict = input.onlyProfiles === undefined ? '' : ` WHERE ${eventProfileSql(input.scope.rules.identityGraph)} IN (SELECT "$profile" FROM ${input.onlyProfiles})`;
  const branches = sources.events.map(({ dataset, view }) => {
    const declared = new Set(declaredFields(dataset).map((field) => field.path));
    const columns = used.map((fieldPath) => (declared.has(fieldPath) ? `"$event".${quoteIdentifier(fieldPath)}` : typedNull(fieldPath)));
    return (
      `SELECT ${eventProfileSql(input.scope.rules.identityGraph)} AS "$profile", "$event"."timestamp", "$event"."_id"${columns.map((column) => `, ${column}`).join('')} ` +
      `FROM ${view} AS "$event" JOIN ${input.identities} AS "$node" ON "$node".nsu = upper("$event"."$primary_ns") AND "$node".id = "$event"."$primary_id"${restrict}`
    );
  });
  const union = `SELECT * FROM (${[empty, ...branches].join(' UNION ALL BY NAME ')})`;
  if (!input.materialise) {
    await publish(connection, '$events', 'VIEW', union, undeclared);
    return;
  }
  await publish(connection, '$events', 'TABLE', union, undeclared);
  for (const { view } of sources.events) await connection.run(`DROP VIEW IF EXISTS ${view}`);
}

/** Creates the empty temp table "$memberships" (`"$segment"`, `"$profile"`). */
export async function createMembershipsRelation(connection: DuckDBConnection): Promise<void> {
  await connection.run('CREATE OR REPLACE TEMP TABLE "$memberships" ("$segment" VARCHAR, "$profile" BIGINT)');
}
