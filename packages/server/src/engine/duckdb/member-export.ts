// Export of audience members (SPEC §5.9) in one DuckDB pass: snapshot keys resolved to current profiles, their merged
// attributes ("$profiles" of segment-relations.ts, restricted to the members) and identities, streamed to NDJSON files.
//
// Memory: the merge runs one shard of profiles (SHARD_KEYS node numbers) at a time, every relation is a temp table or
// a streamed query of the connection, so DuckDB's limit bounds it whatever the export's size; JavaScript holds one
// result chunk at a time.
import { mkdir, rm } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MemberExport, MemberExportRequest, MemberExportSource, SnapshotRow } from '../engine.js';
import type { SchemaField } from '../lake-schema.js';
import type { DerivedProfileTables } from './duckdb-profiles.js';
import { canonicalDatasets, declaredFields, quoteIdentifier } from './lake-sources-sql.js';
import { ExportFileWriter } from './member-export-writer.js';
import { createProfilesRelation } from './segment-relations.js';
import { snapshotSql } from './segment-snapshots.js';
import { readAllShardsSql, SHARD_KEYS } from './sharded-parquet.js';

const STATUSES: readonly SnapshotRow['status'][] = ['realized', 'existing', 'exited'];

/** A window bound as a SQL timestamp literal (checked to be an integer epoch in ms). */
function timeSql(ms: number): string {
  if (!Number.isSafeInteger(ms)) throw new Error(`A qualification time bound must be an integer epoch in ms, got ${ms}`);
  return `make_timestamp(${ms * 1000})`;
}

/** The rows of source `index` that pass its filters, with the profile their key resolves to now (unresolved keys dropped). */
function sourceRowsSql(source: MemberExportSource, index: number, identities: string): string {
  const statuses = source.statuses.filter((status) => STATUSES.includes(status));
  if (statuses.length === 0) return `SELECT NULL::BIGINT AS "$profile", ${index} AS "$source", NULL::VARCHAR AS "$key", NULL::VARCHAR AS "$status", NULL::BIGINT AS "$at" WHERE false`;
  const where = [`"$snap".status IN (${statuses.map((status) => `'${status}'`).join(', ')})`];
  if (source.qualifiedFrom !== undefined) where.push(`"$snap"."lastQualificationTime" >= ${timeSql(source.qualifiedFrom)}`);
  if (source.qualifiedBefore !== undefined) where.push(`"$snap"."lastQualificationTime" < ${timeSql(source.qualifiedBefore)}`);
  return (
    `SELECT "$node".profile AS "$profile", ${index} AS "$source", "$snap"."profileKey" AS "$key", "$snap".status AS "$status", ` +
    `epoch_ms("$snap"."lastQualificationTime") AS "$at" FROM ${snapshotSql(source.snapshot)} AS "$snap" ` +
    `JOIN ${identities} AS "$node" ON "$node".nsu = upper(split_part("$snap"."profileKey", ':', 1)) ` +
    `AND "$node".id = "$snap"."profileKey"[strpos("$snap"."profileKey", ':') + 1:] WHERE ${where.join(' AND ')}`
  );
}

/** Profiles with at least one fragment of a profile dataset (a lookup's non-empty `sources`). */
function withFragmentsSql(tables: DerivedProfileTables): string {
  const dirs = tables.fragments.filter((dir): dir is string => dir !== undefined);
  if (dirs.length === 0) return 'SELECT NULL::BIGINT AS "$profile" WHERE false';
  return dirs.map((dir) => `SELECT "$profile" FROM ${readAllShardsSql(dir)}`).join(' UNION ');
}

/**
 * The declared profile paths the requested fields name, each with its first declaration (as "$profiles" types it):
 * a field itself, or every declared path under it when it names an object.
 */
export function exportedLeaves(request: Pick<MemberExportRequest, 'scope' | 'fields'>): SchemaField[] {
  const leaves = new Map<string, SchemaField>();
  for (const dataset of canonicalDatasets(request.scope).profiles) {
    for (const field of declaredFields(dataset)) {
      if (leaves.has(field.path) || field.path.startsWith('xEvent.')) continue;
      if (request.fields.some((wanted) => field.path === wanted || field.path.startsWith(`${wanted}.`))) leaves.set(field.path, field);
    }
  }
  return [...leaves.values()];
}

/** Builds "$export_members" (`"$profile"`, `"$memberships"` list of `{s: source, status, at}`) from the sources. */
async function createMembers(connection: DuckDBConnection, request: MemberExportRequest, tables: DerivedProfileTables): Promise<void> {
  const identities = readAllShardsSql(tables.identities);
  const rows = request.sources.map((source, index) => sourceRowsSql(source, index, identities)).join(' UNION ALL ');
  // Two keys of one profile in one snapshot: the row of the greatest key (the last one a key-ordered read meets).
  const perSource = `SELECT "$profile", "$source", arg_max("$status", "$key") AS "$status", arg_max("$at", "$key") AS "$at" FROM (${rows}) GROUP BY ALL`;
  const kept = request.includeEmptyProfiles ? '' : ` WHERE "$profile" IN (${withFragmentsSql(tables)})`;
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE "$export_members" AS SELECT "$profile", list({'s': "$source", 'status': "$status", 'at': "$at"}) AS "$memberships" ` +
      `FROM (${perSource})${kept} GROUP BY "$profile"`,
  );
}

/** The profile ranges of the derived tables' shards holding members: one slice of the export each. */
async function sliceNumbers(connection: DuckDBConnection): Promise<bigint[]> {
  const result = await connection.runAndReadAll(`SELECT DISTINCT "$profile" // ${SHARD_KEYS} AS "$slice" FROM "$export_members" ORDER BY 1`);
  return result.getRowsJS().map((row) => BigInt(row[0] as bigint));
}

/**
 * Streams the rows of one slice (members whose profile is in shard `slice`): merged values of the leaves
 * ("$profiles" over the slice only, so its memory follows one shard's profiles, not the export's size), identities.
 */
async function streamSlice(connection: DuckDBConnection, request: MemberExportRequest, tables: DerivedProfileTables, leaves: readonly SchemaField[], slice: bigint) {
  await connection.run(`CREATE OR REPLACE TEMP TABLE "$export_slice" AS SELECT * FROM "$export_members" WHERE "$profile" // ${SHARD_KEYS} = ${slice}`);
  await createProfilesRelation(connection, { scope: request.scope, tables, fields: leaves.map((field) => field.path), onlyProfiles: '"$export_slice"' });
  const from = `profile >= ${slice * SHARD_KEYS} AND profile < ${(slice + 1n) * SHARD_KEYS}`;
  const identities =
    `SELECT profile AS "$profile", list({'node': node, 'ns': ns, 'id': id}) AS "$identities" FROM ${readAllShardsSql(tables.members)} ` +
    `WHERE ${from} AND profile IN (SELECT "$profile" FROM "$export_slice") GROUP BY profile`;
  const values = leaves.map((field) => `, "$p".${quoteIdentifier(field.path)}`).join('');
  const sql =
    `SELECT "$m"."$profile", "$i"."$identities", "$m"."$memberships"${values} FROM "$export_slice" AS "$m" ` +
    `JOIN (${identities}) AS "$i" ON "$i"."$profile" = "$m"."$profile" LEFT JOIN "$profiles" AS "$p" ON "$p"."$profile" = "$m"."$profile"`;
  const result = await connection.stream(sql);
  return result.yieldRowsJs();
}

/** Runs the export; the caller's `discard()` removes the files. */
export async function exportMembersSql(connection: DuckDBConnection, request: MemberExportRequest, tables: DerivedProfileTables): Promise<MemberExport> {
  await rm(request.workDir, { recursive: true, force: true });
  await mkdir(request.workDir, { recursive: true });
  const discard = () => rm(request.workDir, { recursive: true, force: true });
  try {
    await createMembers(connection, request, tables);
    const leaves = exportedLeaves(request);
    const writer = new ExportFileWriter({ leaves, sources: request.sources }, request.workDir, request.maxFileBytes);
    try {
      for (const slice of await sliceNumbers(connection)) await writer.write(await streamSlice(connection, request, tables, leaves, slice));
    } finally {
      await writer.close();
    }
    const written = writer.result();
    return { ...written, discard };
  } catch (error) {
    await discard();
    throw error;
  } finally {
    await connection.run('DROP TABLE IF EXISTS "$export_members"');
    await connection.run('DROP TABLE IF EXISTS "$export_slice"');
    await connection.run('DROP TABLE IF EXISTS "$profiles"');
  }
}
