// The DuckDB ProfileEngine: stitched, merged profiles over the Parquet lake, with derived tables cached per lake version.
//
// Decisions (SPEC §4 leaves them open):
// - `primary` flags the primary identity of the profile's newest profile fragment (of the newest event when the
//   profile has only events); under `none` that is always the profile's own primary identity.
// - Under `none` an identity carried by several profiles (a shared e-mail) resolves to the profile whose primary it
//   is, else to the profile with the smallest key.
// - `sources` lists the profile datasets with at least one fragment in the profile, merged or not.
// - Event windows are half-open: `startTime ≤ timestamp < endTime`.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { EventQuery, Identity, MergedProfile, ProfileEngine, ProfileEvent, ProfileScope } from '../engine.js';
import type { SchemaField } from '../lake-schema.js';
import { DerivedCache, derivedKey, type DerivedTableEvent } from './derived-cache.js';
import type { DuckDbDatabase } from './duckdb-database.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalDatasets, createSourceViews, declaredFields, quoteIdentifier, sqlStringLiteral } from './lake-sources-sql.js';
import { EVENT_LATEST_FILE, eventLatestCopy, fragmentsFile, precedenceOf, profileFragmentsCopy, storesLong } from './merge-sql.js';
import { fragmentsFromLongRows, mergeFragments, type DatasetFragments } from './profile-merge.js';
import { identityKeyOf, nestAttributes, type IdentityKey } from './profile-values.js';
import { readAllShardsSql, readShardSql, shardDir, writeSharded } from './sharded-parquet.js';
import { GRAPH_FILES, IDENTITY_INDEX_FILE, stitchIdentityGraph, type IdentityShard } from './stitching-sql.js';

/** Bump when the derived tables' layout or semantics change, so old caches are not reused. */
const DERIVED_FORMAT = 2;

export interface DuckDbProfileEngineOptions {
  /** Told whenever a derived table is built or reused (structured logs, tests). */
  readonly onDerivedTable?: (event: DerivedTableEvent) => void;
  /** How long unused derived tables are kept (default 24 h). */
  readonly cacheRetentionMs?: number;
}

/** The published derived tables of a scope: directories of sharded Parquet tables (sharded-parquet.ts). */
export interface DerivedProfileTables {
  readonly identities: string;
  readonly members: string;
  /**
   * Per profile dataset in canonical order (`canonicalDatasets`): its fragments tagged with their profile, sorted
   * by profile (merge-sql.ts), or undefined when the dataset has no batch.
   */
  readonly fragments: readonly (string | undefined)[];
  /** Newest event per profile, undefined when no event dataset has a batch. */
  readonly eventLatest: string | undefined;
}

/** Implements {@link ProfileEngine} with SQL only: no graph or profile table is ever loaded into JavaScript, only the rows of one profile. */
export class DuckDbProfileEngine implements ProfileEngine {
  private readonly cache: DerivedCache;
  /** IDENTITY_INDEX_FILE of each graph directory read so far (graph directories are immutable). */
  private readonly identityIndexes = new Map<string, Promise<readonly IdentityShard[]>>();

  constructor(
    private readonly database: DuckDbDatabase,
    options: DuckDbProfileEngineOptions = {},
  ) {
    this.cache = new DerivedCache({
      ...(options.onDerivedTable ? { onEvent: options.onDerivedTable } : {}),
      ...(options.cacheRetentionMs !== undefined ? { retentionMs: options.cacheRetentionMs } : {}),
    });
  }

  /** The identity graph directory of the scope (GRAPH_FILES), built when the lake or the graph type changed. */
  async identityGraph(scope: ProfileScope): Promise<string> {
    const datasets = canonicalDatasets(scope);
    const key = graphKey(scope);
    return this.cache.ensure(scope.derivedDir, `graph-${key}`, (tempDir) =>
      this.database.withConnection(async (connection) => {
        const sources = await createSourceViews(connection, datasets);
        await stitchIdentityGraph(connection, [...sources.profiles, ...sources.events], scope.rules.identityGraph, tempDir);
      }),
    );
  }

  /** Paths of the scope's identity graph and profile tables, built when missing (segment jobs read them too). */
  async derivedTables(scope: ProfileScope): Promise<DerivedProfileTables> {
    return this.profileTables(scope, await this.identityGraph(scope));
  }

  /**
   * The profile tables of the scope: independent of the attribute merge (applied per lookup), so one build serves
   * every merge policy with the same identity graph type.
   */
  private async profileTables(scope: ProfileScope, graphDir: string): Promise<DerivedProfileTables> {
    const { profiles, events } = canonicalDatasets(scope);
    const profilesDir = await this.cache.ensure(scope.derivedDir, `profiles-${profilesKey(scope)}`, (tempDir) =>
      this.database.withConnection(async (connection) => {
        const sources = await createSourceViews(connection, { profiles, events });
        for (const [index, source] of sources.profiles.entries()) {
          if (source.dataset.batchDirs.length > 0) await writeSharded(connection, profileFragmentsCopy(source, index, graphDir, scope.rules.identityGraph, tempDir));
        }
        const withBatches = sources.events.filter((source) => source.dataset.batchDirs.length > 0);
        if (withBatches.length > 0) await writeSharded(connection, eventLatestCopy(withBatches, graphDir, scope.rules.identityGraph, tempDir));
      }),
    );
    return {
      ...graphFiles(graphDir),
      fragments: profiles.map((dataset, index) => (dataset.batchDirs.length > 0 ? `${profilesDir}/${fragmentsFile(index)}` : undefined)),
      eventLatest: events.some((dataset) => dataset.batchDirs.length > 0) ? `${profilesDir}/${EVENT_LATEST_FILE}` : undefined,
    };
  }

  async lookupProfile(scope: ProfileScope, identity: Identity): Promise<MergedProfile | undefined> {
    const graphDir = await this.identityGraph(scope);
    const profile = await this.resolveProfile(graphDir, identityKeyOf(identity));
    if (profile === undefined) return undefined;
    const tables = await this.profileTables(scope, graphDir);
    const { profiles } = canonicalDatasets(scope);
    return this.database.withConnection(async (connection) => {
      // One shard per table (sharded-parquet.ts), sorted by profile: each read prunes to the row group holding it.
      const shard = (dir: string) => readShardSql(dir, profile);
      const identities = await readRows(connection, `SELECT node, ns, id FROM ${shard(tables.members) ?? read(tables.members)} WHERE profile = ${profile} ORDER BY node`);
      const fragments: DatasetFragments[] = [];
      for (const [index, dataset] of profiles.entries()) {
        const dir = tables.fragments[index];
        const file = dir === undefined ? undefined : shard(dir);
        if (file === undefined) continue;
        const rows = await readRows(connection, `SELECT * EXCLUDE ("$profile") FROM ${file} WHERE "$profile" = ${profile}`);
        const fields = declaredFields(dataset);
        fragments.push({ datasetId: dataset.id, fields, precedence: precedenceOf(scope.rules, dataset.id), rows: storesLong(dataset) ? fragmentsFromLongRows(rows, fields) : rows });
      }
      const merged = mergeFragments(fragments);
      let lastModified = merged.lastModifiedMs;
      let primaryNode = merged.primaryNode;
      const events = tables.eventLatest === undefined ? undefined : shard(tables.eventLatest);
      if (merged.sources.length === 0 && events !== undefined) {
        const [latest] = await readRows(connection, `SELECT epoch_ms("$last") AS last, "$primary_node" FROM ${events} WHERE "$profile" = ${profile}`);
        if (latest) {
          lastModified = latest['last'] === null ? undefined : Number(latest['last']);
          primaryNode = latest['$primary_node'] as bigint;
        }
      }
      const key = identities.find((row) => row['node'] === profile);
      return {
        profileKey: `${String(key?.['ns'])}:${String(key?.['id'])}`,
        identities: identities.map((row) => ({ namespace: String(row['ns']), id: String(row['id']), primary: row['node'] === primaryNode })),
        sources: merged.sources,
        attributes: nestAttributes(merged.values, merged.fields),
        lastModifiedAt: lastModified ?? 0,
      };
    });
  }

  async profileEvents(scope: ProfileScope, identity: Identity, query: EventQuery): Promise<readonly ProfileEvent[]> {
    const graphDir = await this.identityGraph(scope);
    const graph = graphFiles(graphDir);
    const profile = await this.resolveProfile(graphDir, identityKeyOf(identity));
    const { events } = canonicalDatasets(scope);
    if (profile === undefined || events.length === 0 || query.limit <= 0) return [];
    return this.database.withConnection(async (connection) => {
      const sources = await createSourceViews(connection, { profiles: [], events });
      const parameters: (bigint | number)[] = [profile];
      const window: string[] = [];
      if (query.startTime !== undefined) window.push(`timestamp >= make_timestamp($${parameters.push(Math.trunc(query.startTime) * 1000)}::BIGINT)`);
      if (query.endTime !== undefined) window.push(`timestamp < make_timestamp($${parameters.push(Math.trunc(query.endTime) * 1000)}::BIGINT)`);
      const limit = `$${parameters.push(Math.trunc(query.limit))}`;
      const wanted =
        scope.rules.identityGraph === 'pdg'
          ? `SELECT nsu, id FROM ${read(graph.members)} WHERE profile = $1`
          : `SELECT nsu, id FROM ${read(graph.identities)} WHERE node = $1`;
      const branches = sources.events.map(({ dataset, view }) => {
        const fields = declaredFields(dataset).map((field) => `, e.${quoteIdentifier(field.path)}`).join('');
        return (
          `SELECT ${sqlStringLiteral(dataset.id)} AS "$dataset", e._id AS "$event_id", epoch_ms(e.timestamp) AS "$timestamp", ` +
          `e."$batch", e."$file", e."$row", e."$rn"${fields} FROM ${view} e ` +
          `WHERE EXISTS (SELECT 1 FROM wanted w WHERE w.nsu = upper(e."$primary_ns") AND w.id = e."$primary_id")${window.map((condition) => ` AND ${condition}`).join('')}`
        );
      });
      const rows = await readRows(
        connection,
        `WITH wanted AS (${wanted}) SELECT * FROM (${branches.join(' UNION ALL BY NAME ')}) ` +
          `ORDER BY "$timestamp" DESC, "$dataset", "$batch" DESC, "$file" DESC, "$row" DESC, "$rn" DESC LIMIT ${limit}`,
        parameters,
      );
      const fieldsByDataset = new Map<string, readonly SchemaField[]>(events.map((dataset) => [dataset.id, declaredFields(dataset)]));
      return rows.map((row) => ({
        eventId: String(row['$event_id']),
        timestamp: Number(row['$timestamp']),
        datasetId: String(row['$dataset']),
        attributes: nestAttributes(row, fieldsByDataset.get(String(row['$dataset'])) ?? []),
      }));
    });
  }

  async countProfiles(scope: ProfileScope): Promise<number> {
    const graph = graphFiles(await this.identityGraph(scope));
    const [row] = await this.database.query(`SELECT count(DISTINCT profile) AS n FROM ${read(graph.members)}`);
    return Number(row?.['n'] ?? 0);
  }

  /** The profile (its key node) a lookup of the identity resolves to (GRAPH_FILES.identities `profile`). */
  private async resolveProfile(graphDir: string, key: IdentityKey): Promise<bigint | undefined> {
    const shard = findIdentityShard(await this.identityIndex(graphDir), key);
    if (shard === undefined) return undefined;
    const file = path.join(shardDir(path.join(graphDir, GRAPH_FILES.identities), shard.shard), '*.parquet');
    // Literals, not parameters, so that the Parquet reader prunes row groups by their (nsu, id) statistics.
    const [row] = await this.database.query(
      `SELECT profile FROM read_parquet(${sqlStringLiteral(file)}, hive_partitioning = false) WHERE nsu = ${sqlStringLiteral(key.nsu)} AND id = ${sqlStringLiteral(key.id)}`,
    );
    const profile = row?.['profile'];
    return typeof profile === 'bigint' ? profile : undefined;
  }

  private identityIndex(graphDir: string): Promise<readonly IdentityShard[]> {
    let index = this.identityIndexes.get(graphDir);
    if (index === undefined) {
      index = readFile(path.join(graphDir, IDENTITY_INDEX_FILE), 'utf8').then((text) => JSON.parse(text) as IdentityShard[]);
      index.catch(() => this.identityIndexes.delete(graphDir));
      this.identityIndexes.set(graphDir, index);
    }
    return index;
  }
}

/** Byte order of (nsu, id), as DuckDB compares VARCHARs. */
function compareKey(a: readonly [string, string], b: IdentityKey): number {
  return Buffer.compare(Buffer.from(a[0]), Buffer.from(b.nsu)) || Buffer.compare(Buffer.from(a[1]), Buffer.from(b.id));
}

/** The shard whose [min, max] holds `key` (shards are sorted and disjoint), by binary search. */
function findIdentityShard(shards: readonly IdentityShard[], key: IdentityKey): IdentityShard | undefined {
  let low = 0;
  let high = shards.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const shard = shards[middle] as IdentityShard;
    if (compareKey(shard.max, key) < 0) low = middle + 1;
    else if (compareKey(shard.min, key) > 0) high = middle - 1;
    else return shard;
  }
  return undefined;
}

function graphKey(scope: ProfileScope): string {
  const { profiles, events } = canonicalDatasets(scope);
  const batches = (datasets: typeof profiles) => datasets.map((dataset) => [dataset.id, dataset.batchDirs]);
  return derivedKey({ format: DERIVED_FORMAT, graph: scope.rules.identityGraph, profiles: batches(profiles), events: batches(events) });
}

function profilesKey(scope: ProfileScope): string {
  const { profiles } = canonicalDatasets(scope);
  const schema = (datasets: typeof profiles) =>
    datasets.map((dataset) => [dataset.id, declaredFields(dataset).map((field) => [field.path, field.type, field.items ?? null])]);
  return derivedKey({ format: DERIVED_FORMAT, graph: graphKey(scope), profiles: schema(profiles) });
}

function graphFiles(graphDir: string): Pick<DerivedProfileTables, 'identities' | 'members'> {
  return { identities: `${graphDir}/${GRAPH_FILES.identities}`, members: `${graphDir}/${GRAPH_FILES.members}` };
}

/** Every shard of a derived table. */
function read(dir: string): string {
  return readAllShardsSql(dir);
}

/** Rows as objects with one own property per column (any column name, `__proto__` included, is a plain key). */
async function readRows(connection: DuckDBConnection, sql: string, parameters: readonly (string | number | bigint)[] = []): Promise<Record<string, unknown>[]> {
  const result = await connection.runAndReadAll(sql, [...parameters]);
  const names = result.columnNames();
  return result.getRowsJS().map((row) => Object.fromEntries(names.map((name, index) => [name, row[index]])));
}
