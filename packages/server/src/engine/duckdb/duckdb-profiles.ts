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
import { canonicalDatasets, createSourceViews, declaredFields, quoteIdentifier, sqlStringLiteral } from './lake-sources-sql.js';
import { mergedProfilesCopySql, PROFILES_FILE, unionProfileFields } from './merge-sql.js';
import { identityKeyOf, nestAttributes, type IdentityKey } from './profile-values.js';
import { GRAPH_FILES, stitchIdentityGraph } from './stitching-sql.js';

/** Bump when the derived tables' layout or semantics change, so old caches are not reused. */
const DERIVED_FORMAT = 2;

export interface DuckDbProfileEngineOptions {
  /** Told whenever a derived table is built or reused (structured logs, tests). */
  readonly onDerivedTable?: (event: DerivedTableEvent) => void;
  /** How long unused derived tables are kept (default 24 h). */
  readonly cacheRetentionMs?: number;
}

/** The published derived tables of a scope (absolute file paths). */
export interface DerivedProfileTables {
  readonly identities: string;
  readonly members: string;
  readonly profiles: string;
}

/** Implements {@link ProfileEngine} with SQL only: no profile or graph is ever loaded into JavaScript. */
export class DuckDbProfileEngine implements ProfileEngine {
  private readonly cache: DerivedCache;

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

  /** Paths of the scope's identity graph and merged table, built when missing (segment jobs read them too). */
  async derivedTables(scope: ProfileScope): Promise<DerivedProfileTables> {
    return this.mergedProfiles(scope, await this.identityGraph(scope));
  }

  private async mergedProfiles(scope: ProfileScope, graphDir: string): Promise<DerivedProfileTables> {
    const profilesDir = await this.cache.ensure(scope.derivedDir, `profiles-${profilesKey(scope)}`, (tempDir) =>
      this.database.withConnection(async (connection) => {
        const sources = await createSourceViews(connection, canonicalDatasets(scope));
        await connection.run(mergedProfilesCopySql({ ...sources, rules: scope.rules, graphDir }, tempDir));
      }),
    );
    return { ...graphFiles(graphDir), profiles: `${profilesDir}/${PROFILES_FILE}` };
  }

  async lookupProfile(scope: ProfileScope, identity: Identity): Promise<MergedProfile | undefined> {
    const graphDir = await this.identityGraph(scope);
    const profile = await this.resolveProfile(graphFiles(graphDir), identityKeyOf(identity));
    if (profile === undefined) return undefined;
    const tables = await this.mergedProfiles(scope, graphDir);
    return this.database.withConnection(async (connection) => {
      const [row] = await readRows(
        connection,
        `SELECT * REPLACE (epoch_ms("$last_modified_at") AS "$last_modified_at") FROM ${read(tables.profiles)} WHERE "$profile" = $1`,
        [profile],
      );
      if (!row) return undefined;
      const identities = await readRows(
        connection,
        `SELECT i.node, i.ns, i.id FROM ${read(tables.members)} m JOIN ${read(tables.identities)} i ON i.node = m.node WHERE m.profile = $1 ORDER BY i.node`,
        [profile],
      );
      const lastModified = row['$last_modified_at'];
      return {
        profileKey: String(row['$profile_key']),
        identities: identities.map((identityRow) => ({
          namespace: String(identityRow['ns']),
          id: String(identityRow['id']),
          primary: identityRow['node'] === row['$primary_node'],
        })),
        sources: (row['$sources'] as string[] | null) ?? [],
        attributes: nestAttributes(row, unionProfileFields(canonicalDatasets(scope).profiles)),
        lastModifiedAt: lastModified === null || lastModified === undefined ? 0 : Number(lastModified),
      };
    });
  }

  async profileEvents(scope: ProfileScope, identity: Identity, query: EventQuery): Promise<readonly ProfileEvent[]> {
    const graph = graphFiles(await this.identityGraph(scope));
    const profile = await this.resolveProfile(graph, identityKeyOf(identity));
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
          ? `SELECT i.nsu, i.id FROM ${read(graph.members)} m JOIN ${read(graph.identities)} i ON i.node = m.node WHERE m.profile = $1`
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

  /** The profile (its key node) containing the identity; see the file header for `none` with shared identities. */
  private async resolveProfile(graph: Omit<DerivedProfileTables, 'profiles'>, key: IdentityKey): Promise<bigint | undefined> {
    const [row] = await this.database.query(
      `SELECT m.profile FROM ${read(graph.members)} m JOIN ${read(graph.identities)} i ON i.node = m.node ` +
        'WHERE i.nsu = $1 AND i.id = $2 ORDER BY m.profile = m.node DESC, m.profile LIMIT 1',
      [key.nsu, key.id],
    );
    const profile = row?.['profile'];
    return typeof profile === 'bigint' ? profile : undefined;
  }
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
  const merge = scope.rules.attributeMerge;
  return derivedKey({
    format: DERIVED_FORMAT,
    graph: graphKey(scope),
    merge: merge.type === 'dataSetPrecedence' ? [merge.type, merge.order] : [merge.type],
    profiles: schema(profiles),
  });
}

function graphFiles(graphDir: string): Omit<DerivedProfileTables, 'profiles'> {
  return { identities: `${graphDir}/${GRAPH_FILES.identities}`, members: `${graphDir}/${GRAPH_FILES.members}` };
}

function read(file: string): string {
  return `read_parquet(${sqlStringLiteral(file)})`;
}

/** Rows as objects with one own property per column (any column name, `__proto__` included, is a plain key). */
async function readRows(connection: DuckDBConnection, sql: string, parameters: readonly (string | number | bigint)[]): Promise<Record<string, unknown>[]> {
  const result = await connection.runAndReadAll(sql, [...parameters]);
  const names = result.columnNames();
  return result.getRowsJS().map((row) => Object.fromEntries(names.map((name, index) => [name, row[index]])));
}
