// Membership snapshots (SPEC §5.7, seg-contract §2): profile keys resolved to current profiles, statuses, Parquet files.
//
// A snapshot is a Parquet file `profileKey VARCHAR, status VARCHAR, lastQualificationTime TIMESTAMP` (UTC), sorted by
// key. Keys are `<namespace>:<id>` of a profile's key identity; namespace codes have no `:`, so the first `:` splits.
import { randomUUID } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { SnapshotFile, SnapshotRow } from '../engine.js';
import { sqlStringLiteral } from './sql-text.js';

/** Statuses of members (`exited` rows record an exit and are not members). */
const MEMBER_STATUSES = "('realized', 'existing')";

/** `read_parquet` of one snapshot file (our own path: never a pattern from a request). */
export function snapshotSql(snapshot: SnapshotFile): string {
  return `read_parquet(${sqlStringLiteral(snapshot.path)}, hive_partitioning = false)`;
}

/**
 * The member rows of a snapshot with the profile each key resolves to now (`"$profile"`, NULL when no profile holds
 * that identity any more), through `identities` (GRAPH_FILES.identities: `nsu, id → profile`).
 */
export function resolvedMembersSql(snapshot: SnapshotFile, identities: string): string {
  return (
    `SELECT "$snap"."profileKey", "$snap"."lastQualificationTime", "$node".profile AS "$profile" FROM ${snapshotSql(snapshot)} AS "$snap" ` +
    `LEFT JOIN ${identities} AS "$node" ON "$node".nsu = upper(split_part("$snap"."profileKey", ':', 1)) ` +
    `AND "$node".id = "$snap"."profileKey"[strpos("$snap"."profileKey", ':') + 1:] WHERE "$snap".status IN ${MEMBER_STATUSES}`
  );
}

/** Adds the current members of `snapshot` as members of `segmentId` to "$memberships". */
export async function insertSnapshotMemberships(connection: DuckDBConnection, segmentId: string, snapshot: SnapshotFile, identities: string): Promise<void> {
  await connection.run(
    `INSERT INTO "$memberships" SELECT DISTINCT $1::VARCHAR, "$profile" FROM (${resolvedMembersSql(snapshot, identities)}) WHERE "$profile" IS NOT NULL`,
    [segmentId],
  );
}

export interface SnapshotWrite {
  /** Relation of the qualifying profiles (`"$profile"`, unique). */
  readonly result: string;
  readonly previous: SnapshotFile | undefined;
  /** GRAPH_FILES.identities (`node, nsu, id, ns, profile`). */
  readonly identities: string;
  readonly evaluatedAt: number;
  /** The final file; written to a temporary name next to it first, then renamed. */
  readonly file: string;
}

/**
 * Writes a snapshot per SPEC §5.7: qualifying profiles are `realized` (job start) or, when a key of the previous
 * snapshot's members resolves to them, `existing` (the earliest previous qualification time of those keys); previous
 * members that do not qualify now are `exited` (job start) under their current key, or under their old key when it
 * resolves to no profile any more. A profile's key is its profile node's identity (pdg: smallest; none: primary).
 */
export async function writeSnapshot(connection: DuckDBConnection, write: SnapshotWrite): Promise<{ realized: number; existing: number; exited: number }> {
  if (!Number.isSafeInteger(write.evaluatedAt)) throw new Error(`evaluatedAt must be an integer epoch in ms, got ${write.evaluatedAt}`);
  const now = `make_timestamp(${write.evaluatedAt * 1000})`;
  const previous = write.previous === undefined ? undefined : resolvedMembersSql(write.previous, write.identities);
  const previousByProfile =
    previous === undefined
      ? 'SELECT NULL::BIGINT AS "$profile", NULL::TIMESTAMP AS "$since" WHERE false'
      : `SELECT "$profile", min("lastQualificationTime") AS "$since" FROM (${previous}) WHERE "$profile" IS NOT NULL GROUP BY "$profile"`;
  const unresolved = previous === undefined ? 'SELECT NULL::VARCHAR AS "profileKey" WHERE false' : `SELECT DISTINCT "profileKey" FROM (${previous}) WHERE "$profile" IS NULL`;
  await connection.run(`CREATE OR REPLACE TEMP TABLE "$previous" AS ${previousByProfile}`);
  const keys = `SELECT "$node".node AS "$profile", "$node".ns || ':' || "$node".id AS "$key" FROM ${write.identities} AS "$node"`;
  const rows =
    `SELECT "$key" AS "profileKey", CASE WHEN "$previous"."$profile" IS NULL THEN 'realized' ELSE 'existing' END AS "status", ` +
    `coalesce("$previous"."$since", ${now}) AS "lastQualificationTime" ` +
    `FROM ${write.result} AS "$now" JOIN (${keys}) AS "$keys" ON "$keys"."$profile" = "$now"."$profile" ` +
    `LEFT JOIN "$previous" ON "$previous"."$profile" = "$now"."$profile" ` +
    `UNION ALL SELECT "$key", 'exited', ${now} FROM "$previous" JOIN (${keys}) AS "$keys" ON "$keys"."$profile" = "$previous"."$profile" ` +
    `WHERE "$previous"."$profile" NOT IN (SELECT "$profile" FROM ${write.result}) ` +
    `UNION ALL SELECT "profileKey", 'exited', ${now} FROM (${unresolved})`;
  const temp = path.join(path.dirname(write.file), `.${path.basename(write.file)}.${randomUUID()}.tmp`);
  try {
    await connection.run(`COPY (SELECT * FROM (${rows}) ORDER BY "profileKey") TO ${sqlStringLiteral(temp)} (FORMAT parquet)`);
    const counts = (await connection.runAndReadAll(`SELECT "status", count(*)::INTEGER AS "$n" FROM ${snapshotSql({ path: temp })} GROUP BY ALL`)).getRowObjectsJS();
    await rename(temp, write.file);
    const count = (status: string) => Number(counts.find((row) => row['status'] === status)?.['$n'] ?? 0);
    return { realized: count('realized'), existing: count('existing'), exited: count('exited') };
  } finally {
    await rm(temp, { force: true });
    await connection.run('DROP TABLE IF EXISTS "$previous"');
  }
}

/** Rows of a snapshot, sorted by key; only `profileKeys` when given. */
export async function readSnapshotRows(connection: DuckDBConnection, snapshot: SnapshotFile, profileKeys?: readonly string[]): Promise<SnapshotRow[]> {
  if (profileKeys !== undefined && profileKeys.length === 0) return [];
  const filter = profileKeys === undefined ? '' : ' WHERE "profileKey" IN (SELECT unnest($1::VARCHAR[]))';
  const result = await connection.runAndReadAll(
    `SELECT "profileKey", "status", epoch_ms("lastQualificationTime") AS "$at" FROM ${snapshotSql(snapshot)}${filter} ORDER BY "profileKey"`,
    profileKeys === undefined ? [] : [listValue([...profileKeys])],
  );
  return result.getRowObjectsJS().map((row) => ({
    profileKey: row['profileKey'] as string,
    status: row['status'] as SnapshotRow['status'],
    lastQualificationTime: Number(row['$at']),
  }));
}
