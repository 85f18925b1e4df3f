// The rows of an audience export (SPEC §7.5, §8.2) as temp tables of one connection: the selected members
// ("$xm"), then one typed row per member and identity id ("$xrows") with the mapped columns, mandatory filter applied.
//
// Memory: attributes are merged one shard of profiles (SHARD_KEYS node numbers) at a time, as member-export.ts does,
// so a merge holds one shard's fragments, never the audience's; the rows accumulate in a temp table DuckDB spills.
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
import { readAllShardsSql, SHARD_KEYS } from './sharded-parquet.js';

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

/** Member rows of a snapshot in the given statuses with the profile their key resolves to now (unresolved dropped), one per profile. */
function membersSql(snapshot: SnapshotFile, statuses: readonly string[], identities: string): string {
  const resolved =
    `SELECT "$node".profile AS "$profile", "$snap"."profileKey" AS "$key", "$snap"."lastQualificationTime" AS "$at" FROM ${snapshotSql(snapshot)} AS "$snap" ` +
    `JOIN ${identities} AS "$node" ON "$node".nsu = upper(split_part("$snap"."profileKey", ':', 1)) ` +
    `AND "$node".id = "$snap"."profileKey"[strpos("$snap"."profileKey", ':') + 1:] ` +
    `WHERE "$snap".status IN (${statuses.map((status) => sqlStringLiteral(status)).join(', ')})`;
  return `SELECT "$profile", arg_max("$at", "$key") AS "$at" FROM (${resolved}) GROUP BY "$profile"`;
}

/** Creates "$xm" (`"$profile"`, `"$status"` Active/Expired, `"$at"`) per SPEC §8.2 and returns its row count. */
export async function createExportMembers(connection: DuckDBConnection, request: AudienceExportRequest, tables: DerivedProfileTables): Promise<number> {
  const identities = readAllShardsSql(tables.identities);
  const current = membersSql(request.snapshot, ['realized', 'existing'], identities);
  let select: string;
  if (request.baseline === undefined) select = `SELECT "$profile", 'Active' AS "$status", "$at" FROM (${current})`;
  else {
    const baseline = membersSql(request.baseline, ['realized', 'existing'], identities);
    const exited = membersSql(request.snapshot, ['exited'], identities);
    select =
      `SELECT "$s"."$profile", 'Active' AS "$status", "$s"."$at" FROM (${current}) AS "$s" WHERE "$s"."$profile" NOT IN (SELECT "$profile" FROM (${baseline}))` +
      (request.includeExpired
        ? ` UNION ALL SELECT "$b"."$profile", 'Expired', coalesce("$x"."$at", "$b"."$at") FROM (${baseline}) AS "$b" LEFT JOIN (${exited}) AS "$x" ON "$x"."$profile" = "$b"."$profile" ` +
          `WHERE "$b"."$profile" NOT IN (SELECT "$profile" FROM (${current}))`
        : '');
  }
  await connection.run(`CREATE OR REPLACE TEMP TABLE "$xm" AS ${select}`);
  const result = await connection.runAndReadAll('SELECT count(*) AS "$n" FROM "$xm"');
  return Number(result.getRowsJS()[0]?.[0] ?? 0);
}

/** Profile update times of the profiles in "$xslice" whose node numbers are in [from, to). */
function updatedSql(tables: DerivedProfileTables, from: bigint, to: bigint): string {
  const range = (column: string) => `${column} >= ${from} AND ${column} < ${to} AND ${column} IN (SELECT "$profile" FROM "$xslice")`;
  const fragments = tables.fragments
    .filter((dir): dir is string => dir !== undefined)
    .map((dir) => `SELECT "$profile", max("$fragment_time") AS "$t" FROM ${readAllShardsSql(dir)} WHERE ${range('"$profile"')} GROUP BY "$profile"`);
  const newest = fragments.length === 0 ? 'SELECT NULL::BIGINT AS "$profile", NULL::TIMESTAMP AS "$t" WHERE false' : `SELECT "$profile", max("$t") AS "$t" FROM (${fragments.join(' UNION ALL ')}) GROUP BY "$profile"`;
  const events = tables.eventLatest === undefined ? 'SELECT NULL::BIGINT AS "$profile", NULL::TIMESTAMP AS "$last" WHERE false' : `SELECT "$profile", "$last" FROM ${readAllShardsSql(tables.eventLatest)} WHERE ${range('"$profile"')}`;
  return (
    `SELECT "$s"."$profile", coalesce("$f"."$t", "$e"."$last", TIMESTAMP '1970-01-01') AS "$updated" FROM "$xslice" AS "$s" ` +
    `LEFT JOIN (${newest}) AS "$f" ON "$f"."$profile" = "$s"."$profile" LEFT JOIN (${events}) AS "$e" ON "$e"."$profile" = "$s"."$profile"`
  );
}

/** The rows of the profiles in "$xslice" (node numbers in [from, to)), mandatory filter applied. */
function sliceRowsSql(resolved: ResolvedColumns, mandatory: readonly ResolvedColumn[], tables: DerivedProfileTables, from: bigint, to: bigint): string {
  const joins = resolved.namespaces.map(
    (namespace, index) =>
      ` LEFT JOIN (SELECT DISTINCT profile AS "$profile", id AS "$id" FROM ${readAllShardsSql(tables.members)} WHERE profile >= ${from} AND profile < ${to} ` +
      `AND nsu = ${sqlStringLiteral(namespace)} AND profile IN (SELECT "$profile" FROM "$xslice")) AS "$i${index}" ON "$i${index}"."$profile" = "$m"."$profile"`,
  );
  const where = mandatory.length === 0 ? '' : ` WHERE ${mandatory.map((column) => `(${column.select}) IS NOT NULL`).join(' AND ')}`;
  const values = resolved.columns.map((column) => `, CAST(${column.select} AS ${kindSqlType(column.kind)}) AS ${column.column}`).join('');
  return (
    `SELECT "$m"."$profile", "$m"."$at", "$u"."$updated"${values} FROM "$xslice" AS "$m" ` +
    `LEFT JOIN "$profiles" AS "$p" ON "$p"."$profile" = "$m"."$profile" LEFT JOIN (${updatedSql(tables, from, to)}) AS "$u" ON "$u"."$profile" = "$m"."$profile"` +
    `${joins.join('')}${where}`
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
 * Creates "$xrows" (`"$profile"`, `"$at"`, `"$updated"`, one `"$c<i>"` per column) from "$xm", one shard slice at a
 * time; `beforeSlice` runs between statements (cancellation).
 */
export async function createExportRows(
  connection: DuckDBConnection,
  request: AudienceExportRequest,
  tables: DerivedProfileTables,
  resolved: ResolvedColumns,
  beforeSlice: () => void,
): Promise<void> {
  const mandatory = mandatoryColumns(resolved, request.mandatory);
  const slices = (await connection.runAndReadAll(`SELECT DISTINCT "$profile" // ${SHARD_KEYS} FROM "$xm" ORDER BY 1`)).getRowsJS().map((row) => BigInt(row[0] as bigint));
  // The empty table first, so that its types do not depend on the first slice (and a zero-row export has them).
  await connection.run('CREATE OR REPLACE TEMP TABLE "$xslice" AS SELECT * FROM "$xm" WHERE false');
  await createProfilesRelation(connection, { scope: request.scope, tables, fields: resolved.leaves, onlyProfiles: '"$xslice"' });
  await connection.run(`CREATE OR REPLACE TEMP TABLE "$xrows" AS ${sliceRowsSql(resolved, mandatory, tables, 0n, 0n)} LIMIT 0`);
  for (const slice of slices) {
    beforeSlice();
    const from = slice * SHARD_KEYS;
    const to = from + SHARD_KEYS;
    await connection.run(`CREATE OR REPLACE TEMP TABLE "$xslice" AS SELECT * FROM "$xm" WHERE "$profile" >= ${from} AND "$profile" < ${to}`);
    await createProfilesRelation(connection, { scope: request.scope, tables, fields: resolved.leaves, onlyProfiles: '"$xslice"' });
    await connection.run(`INSERT INTO "$xrows" ${sliceRowsSql(resolved, mandatory, tables, from, to)}`);
  }
}
