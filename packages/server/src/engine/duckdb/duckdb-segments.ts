// The DuckDB SegmentEngine: evaluates compiled audiences over merged profiles and writes membership snapshots.
//
// Decisions (SPEC §5.5–5.7 leave them open):
// - An audience whose inSegment dependency is neither evaluated before it nor in `external` sees no members of it.
// - Two keys of a previous snapshot resolving to one profile: `existing` keeps the earliest qualification time.
// - A previous member whose key resolves to no profile any more (its data was removed) is `exited` under its old key.
// - Preview sample: the `sampleSize` profiles with the smallest `hash(profile)` (deterministic for a lake state);
//   `matched` and `byNamespace` count the profiles evaluated, `estimatedSize` scales `matched` to every profile.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  SEGMENT_RELATIONS,
  type AudienceOutcome,
  type AudienceQuery,
  type MemberExport,
  type MemberExportRequest,
  type MergedProfile,
  type PreviewRequest,
  type PreviewResult,
  type SegmentEngine,
  type SegmentEvaluationRequest,
  type SegmentEvaluationResult,
  type SnapshotFile,
  type SnapshotRow,
} from '../engine.js';
import type { DuckDbDatabase } from './duckdb-database.js';
import type { DerivedProfileTables, DuckDbProfileEngine } from './duckdb-profiles.js';
import { exportMembersSql } from './member-export.js';
import { allProfilesSql, createEventsRelation, createMembershipsRelation, createProfilesRelation } from './segment-relations.js';
import { insertSnapshotMemberships, readSnapshotRows, writeSnapshot } from './segment-snapshots.js';
import { readAllShardsSql } from './sharded-parquet.js';

/** Audience ids become file names (`<id>.parquet`): ids are ours (UUIDs), anything else is refused. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/u;

/** Implements {@link SegmentEngine} over the profile engine's derived tables. */
export class DuckDbSegmentEngine implements SegmentEngine {
  constructor(
    private readonly database: DuckDbDatabase,
    private readonly profiles: DuckDbProfileEngine,
  ) {}

  async evaluateSegments(request: SegmentEvaluationRequest): Promise<SegmentEvaluationResult> {
    request.signal?.throwIfAborted();
    const tables = await this.profiles.derivedTables(request.scope);
    await mkdir(request.outputDir, { recursive: true });
    const written: string[] = [];
    try {
      return await this.database.withConnection(async (connection) => {
        // Cancelling interrupts the running statement too, not only the loop between audiences.
        const interrupt = () => connection.interrupt();
        request.signal?.addEventListener('abort', interrupt);
        try {
          return await this.evaluateAll(connection, request, tables, written);
        } finally {
          request.signal?.removeEventListener('abort', interrupt);
        }
      });
    } catch (error) {
      // Cancelled or broken: leave no snapshot behind.
      await Promise.all(written.map((file) => rm(file, { force: true })));
      // A statement interrupted by the cancellation fails with DuckDB's error: report the cancellation instead.
      request.signal?.throwIfAborted();
      throw error;
    }
  }

  private async evaluateAll(connection: DuckDBConnection, request: SegmentEvaluationRequest, tables: DerivedProfileTables, written: string[]): Promise<SegmentEvaluationResult> {
    await bindRelations(connection, request.scope, tables, request.audiences, request.external ?? new Map(), undefined);
    const totalProfiles = await count(connection, 'SELECT count(*) AS "$n" FROM "$profiles"');
    const failed = new Set<string>();
    const outcomes: AudienceOutcome[] = [];
    for (const [index, audience] of request.audiences.entries()) {
      request.signal?.throwIfAborted();
      const outcome = await this.evaluateOne(connection, request, tables, audience, failed);
      if (outcome.ok) written.push(outcome.snapshot.path);
      else failed.add(audience.id);
      outcomes.push(outcome);
      request.onProgress?.(index + 1, request.audiences.length);
    }
    request.signal?.throwIfAborted();
    return { totalProfiles, audiences: outcomes };
  }

  private async evaluateOne(
    connection: DuckDBConnection,
    request: SegmentEvaluationRequest,
    tables: DerivedProfileTables,
    audience: AudienceQuery,
    failed: ReadonlySet<string>,
  ): Promise<AudienceOutcome> {
    const { id } = audience;
    const failedDependency = (request.dependencies.get(id) ?? []).find((dependency) => failed.has(dependency));
    if (failedDependency !== undefined) return { id, ok: false, error: `depends on audience ${failedDependency}, which failed` };
    if (!SAFE_ID.test(id)) return { id, ok: false, error: `audience id ${JSON.stringify(id)} cannot name a snapshot file: use letters, digits, '-' and '_'` };
    const identities = readAllShardsSql(tables.identities);
    try {
      await runAudience(connection, audience);
      const file = path.join(request.outputDir, `${id}.parquet`);
      const counts = await writeSnapshot(connection, { result: '"$result"', previous: request.previous.get(id), identities, evaluatedAt: request.evaluatedAt, file });
      const byNamespace = await namespaceCounts(connection, tables);
      await connection.run('DELETE FROM "$memberships" WHERE "$segment" = $1', [id]);
      await connection.run('INSERT INTO "$memberships" SELECT $1::VARCHAR, "$profile" FROM "$result"', [id]);
      return { id, ok: true, snapshot: { path: file }, counts, byNamespace };
    } catch (error) {
      // An interrupted statement is the cancellation, not this audience's failure.
      request.signal?.throwIfAborted();
      return { id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async previewSegment(request: PreviewRequest): Promise<PreviewResult> {
    request.signal?.throwIfAborted();
    const tables = await this.profiles.derivedTables(request.scope);
    const sampleSize = Math.max(1, Math.trunc(request.sampleSize));
    const evaluated = await this.database.withConnection((connection) => interruptible(connection, request.signal, async () => {
      const totalProfiles = await count(connection, `SELECT count(*) AS "$n" FROM (${allProfilesSql(tables)})`);
      const sampled = totalProfiles > sampleSize;
      if (sampled) {
        await connection.run(`CREATE OR REPLACE TEMP TABLE "$sample" AS SELECT "$profile" FROM (${allProfilesSql(tables)}) ORDER BY hash("$profile"), "$profile" LIMIT ${sampleSize}`);
      }
      await bindRelations(connection, request.scope, tables, [request.query], request.external, sampled ? '"$sample"' : undefined);
      const profilesRead = await count(connection, 'SELECT count(*) AS "$n" FROM "$profiles"');
      await runAudience(connection, request.query);
      const matched = await count(connection, 'SELECT count(*) AS "$n" FROM "$result"');
      const byNamespace = await namespaceCounts(connection, tables);
      const limit = Math.max(0, Math.trunc(request.limit));
      const keys = (
        await connection.runAndReadAll(
          `SELECT "$node".ns AS "$ns", "$node".id AS "$id" FROM "$result" JOIN ${readAllShardsSql(tables.identities)} AS "$node" ON "$node".node = "$result"."$profile" ` +
            `ORDER BY "$result"."$profile" LIMIT ${limit}`,
        )
      ).getRowObjectsJS();
      return { totalProfiles, sampled, profilesRead, matched, byNamespace, keys };
    }));
    request.signal?.throwIfAborted();
    const lookups = evaluated.keys.map((key) => this.profiles.lookupProfile(request.scope, { namespace: key['$ns'] as string, id: key['$id'] as string }));
    const members = (await Promise.all(lookups)).filter((profile): profile is MergedProfile => profile !== undefined);
    const { totalProfiles, profilesRead, matched, sampled } = evaluated;
    return { totalProfiles, profilesRead, matched, sampled, ...estimate(totalProfiles, profilesRead, matched, sampled), byNamespace: evaluated.byNamespace, members };
  }

  readSnapshot(snapshot: SnapshotFile, profileKeys?: readonly string[]): Promise<readonly SnapshotRow[]> {
    return this.database.withConnection((connection) => readSnapshotRows(connection, snapshot, profileKeys));
  }

  async exportMembers(request: MemberExportRequest): Promise<MemberExport> {
    const tables = await this.profiles.derivedTables(request.scope);
    return this.database.withConnection((connection) => exportMembersSql(connection, request, tables));
  }
}

/** Runs `work` on `connection`; aborting `signal` interrupts its running statement and rejects with the abort reason. */
async function interruptible<T>(connection: DuckDBConnection, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  if (signal === undefined) return work();
  const interrupt = () => connection.interrupt();
  signal.addEventListener('abort', interrupt);
  try {
    return await work();
  } catch (error) {
    signal.throwIfAborted();
    throw error;
  } finally {
    signal.removeEventListener('abort', interrupt);
  }
}

/**
 * The size of the audience among all N profiles from n sampled without replacement, m matching: N·m/n, and its
 * standard error N·sqrt((1 − n/N)·p(1 − p)/(n − 1)) with p = m/n (finite population correction). Exact when not sampled.
 */
export function estimate(total: number, read: number, matched: number, sampled: boolean): { estimatedSize: number; standardError: number } {
  if (!sampled || read === 0) return { estimatedSize: matched, standardError: 0 };
  const share = matched / read;
  const variance = read > 1 ? ((1 - read / total) * share * (1 - share)) / (read - 1) : 0;
  return { estimatedSize: Math.round(total * share), standardError: total * Math.sqrt(variance) };
}

/** Creates "$profiles", "$events" and "$memberships" (with the members of `external` audiences). */
async function bindRelations(
  connection: DuckDBConnection,
  scope: SegmentEvaluationRequest['scope'],
  tables: DerivedProfileTables,
  audiences: readonly AudienceQuery[],
  external: ReadonlyMap<string, SnapshotFile>,
  onlyProfiles: string | undefined,
): Promise<void> {
  const identities = readAllShardsSql(tables.identities);
  const fields = audiences.flatMap((audience) => audience.fields);
  const input = { scope, tables, fields, ...(onlyProfiles === undefined ? {} : { onlyProfiles }) };
  await createProfilesRelation(connection, input);
  // The compiled statements name the relations they read: events are materialised only when some audience reads them.
  const readsEvents = audiences.some((audience) => audience.sql.includes(SEGMENT_RELATIONS.events));
  await createEventsRelation(connection, { ...input, identities, materialise: readsEvents });
  await createMembershipsRelation(connection);
  for (const [segmentId, snapshot] of external) await insertSnapshotMemberships(connection, segmentId, snapshot, identities);
}

/** Runs a compiled audience into temp table "$result" (`"$profile"`, unique). */
async function runAudience(connection: DuckDBConnection, audience: AudienceQuery): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE "$result" AS SELECT DISTINCT "$profile" FROM (${audience.sql}) AS "$query"`, [...audience.parameters]);
}

/** Members of "$result" having at least one identity of each namespace (namespaces rendered as in the graph). */
async function namespaceCounts(connection: DuckDBConnection, tables: DerivedProfileTables): Promise<Record<string, number>> {
  const rows = (
    await connection.runAndReadAll(
      `SELECT "$member".ns AS "$ns", count(DISTINCT "$member".profile)::INTEGER AS "$n" FROM ${readAllShardsSql(tables.members)} AS "$member" ` +
        `WHERE "$member".profile IN (SELECT "$profile" FROM "$result") GROUP BY ALL ORDER BY ALL`,
    )
  ).getRowObjectsJS();
  return Object.fromEntries(rows.map((row) => [row['$ns'] as string, Number(row['$n'])]));
}

async function count(connection: DuckDBConnection, sql: string): Promise<number> {
  return Number((await connection.runAndReadAll(sql)).getRowObjectsJS()[0]?.['$n'] ?? 0);
}
