// The rows of an audience export (SPEC §7.5, §8.2) as temp tables of one connection: the snapshots' keys resolved to
// profiles ("$xk_*"), then per shard slice its members ("$xslice") and one typed row per member and identity id
// ("$xrows") with the mapped columns, mandatory filter applied.
//
// Memory: members are grouped and attributes merged one shard of profiles (SHARD_KEYS node numbers) at a time, as
// member-export.ts does, so no aggregate holds the whole audience; the tables are DuckDB temp tables that spill.
//
// Decisions (SPEC is silent):
// - Two keys of a snapshot resolving to one profile: the row of the greatest key (as exportMembers).
// - Incremental `Expired` rows carry the time of S's `exited` row of the profile when there is one, else B's time.
// - Profile update time (dedup tie-break) = its newest profile fragment time, else its newest event's, else epoch 0.
// - An identity column lists the distinct ids of its namespace in the profile (namespaces compared upper-cased); a
//   profile without one gives one row with the value missing. Two identity columns of different namespaces multiply.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AudienceExportRequest, ExportColumn, SnapshotFile } from '../engine.js';
import type { ScalarFieldType, SchemaField } from '../lake-schema.js';
import { jsonObjectSql, valueJsonSql, type ValueKind } from './audience-export-render.js';
import type { DerivedProfileTables } from './duckdb-profiles.js';
import { quoteIdentifier, sqlStringLiteral } from './lake-sources-sql.js';
import { exportedLeaves } from './member-export.js';
import { createProfilesRelation } from './segment-relations.js';
import { snapshotSql } from './segment-snapshots.js';
import { readAllShardsSql, readShardSql, SHARD_KEYS } from './sharded-parquet.js';

/** A mapped column resolved against the scope: its internal column in "$xrows", its value type and its SQL in a slice. */
export interface ResolvedColumn {
  readonly name: string;
  /** `"$c<index>"`. */
  readonly column: string;
  readonly kind: ValueKind;
  /** The value in the slice query (aliases `"$m"` member, `"$p"` profile values, `"$i<n>"` identity ids). */
  readonly select: string;
  /** For identity columns: the index of their namespace's join. */
  readonly identityJoin?: number;
}

export interface ResolvedColumns {
  readonly columns: readonly ResolvedColumn[];
  /** Declared profile paths to merge ("$profiles" columns). */
  readonly leaves: readonly string[];
  /** Upper-cased namespaces, one LEFT JOIN `"$i<index>"` each. */
  readonly namespaces: readonly string[];
}

/** The tree of leaves under an object path, rendered as nested JSON text from "$p" columns. */
function objectJsonSql(prefix: string, leaves: readonly SchemaField[]): string {
  const children = new Map<string, SchemaField[]>();
  const direct = new Map<string, SchemaField>();
  for (const leaf of leaves) {
    const rest = leaf.path.slice(prefix.length + 1);
    const dot = rest.indexOf('.');
    if (dot < 0) direct.set(rest, leaf);
    else {
      const key = rest.slice(0, dot);
      children.set(key, [...(children.get(key) ?? []), leaf]);
    }
  }
  const keys = [...new Set([...leaves.map((leaf) => leaf.path.slice(prefix.length + 1).split('.')[0] as string)])];
  const members = keys.map((key) => {
    const leaf = direct.get(key);
    const json = leaf !== undefined ? valueJsonSql(`"$p".${quoteIdentifier(leaf.path)}`, kindOf(leaf)) : objectJsonSql(`${prefix}.${key}`, children.get(key) ?? []);
    return { key, json };
  });
  return jsonObjectSql(members, true);
}

function kindOf(field: SchemaField): ValueKind {
  return field.type === 'array' ? { type: 'array', items: field.items ?? 'string' } : { type: field.type };
}

/** Resolves the request's columns against the scope's declared profile paths. */
export function resolveColumns(request: Pick<AudienceExportRequest, 'scope' | 'columns'>): ResolvedColumns {
  const leaves = new Set<string>();
  const namespaces: string[] = [];
  const columns = request.columns.map((column: ExportColumn, index): ResolvedColumn => {
    const base = { name: column.name, column: quoteIdentifier(`$c${index}`) };
    switch (column.kind) {
      case 'membershipStatus':
        return { ...base, kind: { type: 'string' }, select: '"$m"."$status"' };
      case 'lastQualificationTime':
        return { ...base, kind: { type: 'date-time' }, select: '"$m"."$at"' };
      case 'identity': {
        const upper = column.namespace.toUpperCase();
        let join = namespaces.indexOf(upper);
        if (join < 0) join = namespaces.push(upper) - 1;
        return { ...base, kind: { type: 'string' }, select: `"$i${join}"."$id"`, identityJoin: join };
      }
      case 'attribute': {
        const found = exportedLeaves({ scope: request.scope, fields: [column.path] });
        const exact = found.find((field) => field.path === column.path);
        if (exact !== undefined) {
          leaves.add(exact.path);
          return { ...base, kind: kindOf(exact), select: `"$p".${quoteIdentifier(exact.path)}` };
        }
        if (found.length === 0) return { ...base, kind: { type: 'string' }, select: 'CAST(NULL AS VARCHAR)' };
        for (const field of found) leaves.add(field.path);
        return { ...base, kind: { type: 'json' }, select: objectJsonSql(column.path, found) };
      }
    }
  });
  return { columns, leaves: [...leaves], namespaces };
}

/** The lake type name of a scalar kind, for the column types of an empty relation. */
export function kindSqlType(kind: ValueKind): string {
  const scalar: Record<ScalarFieldType, string> = { string: 'VARCHAR', integer: 'BIGINT', number: 'DOUBLE', boolean: 'BOOLEAN', date: 'DATE', 'date-time': 'TIMESTAMP' };
  if (kind.type === 'json') return 'VARCHAR';
  if (kind.type === 'array') return `${scalar[kind.items]}[]`;
  return scalar[kind.type];
}

/** Member keys of a snapshot in the given statuses with the profile each resolves to now (unresolved dropped). */
function resolvedKeysSql(snapshot: SnapshotFile, statuses: readonly string[], identities: string): string {
  return (
    `SELECT "$node".profile AS "$profile", "$snap"."profileKey" AS "$key", "$snap"."lastQualificationTime" AS "$at" FROM ${snapshotSql(snapshot)} AS "$snap" ` +
    `JOIN ${identities} AS "$node" ON "$node".nsu = upper(split_part("$snap"."profileKey", ':', 1)) ` +
    `AND "$node".id = "$snap"."profileKey"[strpos("$snap"."profileKey", ':') + 1:] ` +
    `WHERE "$snap".status IN (${statuses.map((status) => sqlStringLiteral(status)).join(', ')})`
  );
}

/** The key tables of an export: S's members, and for incremental exports B's members and S's exits. */
const KEY_TABLES = { current: '"$xk_current"', baseline: '"$xk_baseline"', exited: '"$xk_exited"' } as const;
export const MEMBER_TEMP_TABLES: readonly string[] = [...Object.values(KEY_TABLES), '"$xk_joined"'];

/**
 * Resolves the snapshots' keys to profiles once, into temp tables sorted by profile (a streamed join and an external
 * sort: no aggregate over the whole audience, which would hold every profile in memory at once), and returns the
 * shard slices holding members.
 */
export async function resolveMemberKeys(connection: DuckDBConnection, request: AudienceExportRequest, tables: DerivedProfileTables): Promise<bigint[]> {
  const identities = readAllShardsSql(tables.identities);
  // Join, then sort, as two statements: in one pipeline the join's hash table and the sort ran out of a 384 MB limit
  // at 10M keys, where each alone spills and passes.
  const create = async (table: string, snapshot: SnapshotFile, statuses: readonly string[]) => {
    await connection.run(`CREATE OR REPLACE TEMP TABLE "$xk_joined" AS ${resolvedKeysSql(snapshot, statuses, identities)}`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM "$xk_joined" ORDER BY "$profile"`);
    await connection.run('DROP TABLE "$xk_joined"');
  };
  await create(KEY_TABLES.current, request.snapshot, ['realized', 'existing']);
  const read: string[] = [KEY_TABLES.current];
  if (request.baseline !== undefined) {
    await create(KEY_TABLES.baseline, request.baseline, ['realized', 'existing']);
    await create(KEY_TABLES.exited, request.snapshot, ['exited']);
    if (request.includeExpired) read.push(KEY_TABLES.baseline);
  }
  const union = read.map((table) => `SELECT DISTINCT "$profile" // ${SHARD_KEYS} AS "$slice" FROM ${table}`).join(' UNION ');
  return (await connection.runAndReadAll(`SELECT DISTINCT "$slice" FROM (${union}) ORDER BY 1`)).getRowsJS().map((row) => BigInt(row[0] as bigint));
}

/** One row per profile of a key table in [from, to): the greatest key's qualification time (as exportMembers). */
function perProfileSql(table: string, from: bigint, to: bigint): string {
  return `SELECT "$profile", arg_max("$at", "$key") AS "$at" FROM ${table} WHERE "$profile" >= ${from} AND "$profile" < ${to} GROUP BY "$profile"`;
}

/** The members of profiles in [from, to) (`"$profile"`, `"$status"` Active/Expired, `"$at"`) per SPEC §8.2. */
function sliceMembersSql(request: AudienceExportRequest, from: bigint, to: bigint): string {
  const current = perProfileSql(KEY_TABLES.current, from, to);
  if (request.baseline === undefined) return `SELECT "$profile", 'Active' AS "$status", "$at" FROM (${current})`;
  const baseline = perProfileSql(KEY_TABLES.baseline, from, to);
  const active = `SELECT "$s"."$profile", 'Active' AS "$status", "$s"."$at" FROM (${current}) AS "$s" WHERE "$s"."$profile" NOT IN (SELECT "$profile" FROM (${baseline}))`;
  if (!request.includeExpired) return active;
  return (
    `${active} UNION ALL SELECT "$b"."$profile", 'Expired', coalesce("$x"."$at", "$b"."$at") FROM (${baseline}) AS "$b" ` +
    `LEFT JOIN (${perProfileSql(KEY_TABLES.exited, from, to)}) AS "$x" ON "$x"."$profile" = "$b"."$profile" WHERE "$b"."$profile" NOT IN (SELECT "$profile" FROM (${current}))`
  );
}

/** Profile update times of the profiles in "$xslice" (node numbers in [from, to), one shard: only its files are read). */
function updatedSql(tables: DerivedProfileTables, from: bigint, to: bigint): string {
  const range = (column: string) => `${column} >= ${from} AND ${column} < ${to} AND ${column} IN (SELECT "$profile" FROM "$xslice")`;
  const shards = (dirs: readonly (string | undefined)[]) => dirs.flatMap((dir) => (dir === undefined ? [] : [readShardSql(dir, from)].filter((sql): sql is string => sql !== undefined)));
  const fragments = shards(tables.fragments).map((table) => `SELECT "$profile", max("$fragment_time") AS "$t" FROM ${table} WHERE ${range('"$profile"')} GROUP BY "$profile"`);
  const newest = fragments.length === 0 ? 'SELECT NULL::BIGINT AS "$profile", NULL::TIMESTAMP AS "$t" WHERE false' : `SELECT "$profile", max("$t") AS "$t" FROM (${fragments.join(' UNION ALL ')}) GROUP BY "$profile"`;
  const [eventShard] = shards([tables.eventLatest]);
  const events = eventShard === undefined ? 'SELECT NULL::BIGINT AS "$profile", NULL::TIMESTAMP AS "$last" WHERE false' : `SELECT "$profile", "$last" FROM ${eventShard} WHERE ${range('"$profile"')}`;
  return (
    `SELECT "$s"."$profile", coalesce("$f"."$t", "$e"."$last", TIMESTAMP '1970-01-01') AS "$updated" FROM "$xslice" AS "$s" ` +
    `LEFT JOIN (${newest}) AS "$f" ON "$f"."$profile" = "$s"."$profile" LEFT JOIN (${events}) AS "$e" ON "$e"."$profile" = "$s"."$profile"`
  );
}

/** The rows of the profiles in "$xslice" (node numbers in [from, to)), mandatory filter applied. */
function sliceRowsSql(resolved: ResolvedColumns, mandatory: readonly ResolvedColumn[], tables: DerivedProfileTables, from: bigint, to: bigint): string {
  const members = readShardSql(tables.members, from) ?? '(SELECT NULL::BIGINT AS profile, NULL::VARCHAR AS id, NULL::VARCHAR AS nsu WHERE false)';
  const joins = resolved.namespaces.map(
    (namespace, index) =>
      ` LEFT JOIN (SELECT DISTINCT profile AS "$profile", id AS "$id" FROM ${members} WHERE profile >= ${from} AND profile < ${to} ` +
      `AND nsu = ${sqlStringLiteral(namespace)} AND profile IN (SELECT "$profile" FROM "$xslice")) AS "$i${index}" ON "$i${index}"."$profile" = "$m"."$profile"`,
  );
  const where = mandatory.length === 0 ? '' : ` WHERE ${mandatory.map((column) => `(${column.select}) IS NOT NULL`).join(' AND ')}`;
  // File order within the slice (slices are inserted in order, so "$xrows" is in file order): profile, then identity ids.
  const order = ['"$m"."$profile"', ...resolved.namespaces.map((_, index) => `"$i${index}"."$id"`)].join(', ');
  const values = resolved.columns.map((column) => `, CAST(${column.select} AS ${kindSqlType(column.kind)}) AS ${column.column}`).join('');
  return (
    `SELECT "$m"."$profile", "$m"."$at", "$u"."$updated"${values} FROM "$xslice" AS "$m" ` +
    `LEFT JOIN "$profiles" AS "$p" ON "$p"."$profile" = "$m"."$profile" LEFT JOIN (${updatedSql(tables, from, to)}) AS "$u" ON "$u"."$profile" = "$m"."$profile"` +
    `${joins.join('')}${where} ORDER BY ${order}`
  );
}

/** The mandatory columns by name; an unknown name is a caller error naming it. */
export function mandatoryColumns(resolved: ResolvedColumns, names: readonly string[]): ResolvedColumn[] {
  return names.map((name) => {
    const column = resolved.columns.find((candidate) => candidate.name === name);
    if (column === undefined) throw new Error(`Mandatory field ${JSON.stringify(name)} is not a mapped column: map it or remove it from mandatoryFields`);
    return column;
  });
}

/**
 * Creates "$xrows" (`"$profile"`, `"$at"`, `"$updated"`, one `"$c<i>"` per column) one shard slice at a time, in
 * slice order; `beforeSlice` runs between statements (cancellation). Returns the members selected and the profiles
 * skipped by the mandatory filter.
 */
export async function createExportRows(
  connection: DuckDBConnection,
  request: AudienceExportRequest,
  tables: DerivedProfileTables,
  resolved: ResolvedColumns,
  beforeSlice: () => void,
): Promise<{ readonly members: number; readonly skipped: number }> {
  const mandatory = mandatoryColumns(resolved, request.mandatory);
  const slices = await resolveMemberKeys(connection, request, tables);
  // The empty table first, so that its types do not depend on the first slice (and a zero-row export has them).
  await connection.run(`CREATE OR REPLACE TEMP TABLE "$xslice" AS ${sliceMembersSql(request, 0n, 0n)}`);
  await createProfilesRelation(connection, { scope: request.scope, tables, fields: resolved.leaves, onlyProfiles: '"$xslice"', profileRange: { from: 0n, to: 0n } });
  await connection.run(`CREATE OR REPLACE TEMP TABLE "$xrows" AS ${sliceRowsSql(resolved, mandatory, tables, 0n, 0n)} LIMIT 0`);
  let members = 0;
  let skipped = 0;
  for (const slice of slices) {
    beforeSlice();
    const from = slice * SHARD_KEYS;
    const to = from + SHARD_KEYS;
    await connection.run(`CREATE OR REPLACE TEMP TABLE "$xslice" AS ${sliceMembersSql(request, from, to)}`);
    await createProfilesRelation(connection, { scope: request.scope, tables, fields: resolved.leaves, onlyProfiles: '"$xslice"', profileRange: { from, to } });
    await connection.run(`INSERT INTO "$xrows" ${sliceRowsSql(resolved, mandatory, tables, from, to)}`);
    // "$xrows" grows in slice order, so this count reads the slice's row groups only (zone maps on "$profile").
    const counts = await connection.runAndReadAll(
      `SELECT (SELECT count(*) FROM "$xslice"), (SELECT count(DISTINCT "$profile") FROM "$xrows" WHERE "$profile" >= ${from} AND "$profile" < ${to})`,
    );
    const [selected, kept] = (counts.getRowsJS()[0] ?? [0, 0]).map(Number) as [number, number];
    members += selected;
    skipped += selected - kept;
  }
  return { members, skipped };
}
