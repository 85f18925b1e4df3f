// Identity stitching in DuckDB (SPEC §4.2): identity nodes, record edges, connected components by label propagation.
//
// The graph never leaves DuckDB: TypeScript only loops over iterations, each one statement over the whole graph.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MergeRules } from '../engine.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SourceView } from './lake-sources-sql.js';
import { SHARD_KEYS, writeSharded } from './sharded-parquet.js';

/** File names of a published identity graph (inside its cache directory). */
export const GRAPH_FILES = {
  /**
   * Sharded tables (sharded-parquet.ts), by node and by profile. Identities: `node BIGINT, nsu VARCHAR, id VARCHAR, ns VARCHAR, profile BIGINT`, sorted by node — and so by (nsu, id), since node
   * numbers follow (nsu, id) byte order: a lookup by identity reads one row group. `profile` is the profile a lookup
   * of the identity resolves to (pdg: its component; none: see {@link resolvedProfileSql}).
   */
  identities: 'identities',
  /**
   * `profile BIGINT, node BIGINT, nsu VARCHAR, id VARCHAR, ns VARCHAR`, sorted by profile then node; a profile is the
   * node of its key identity. The identity columns are repeated so that a profile's identities are one pruned read.
   */
  members: 'members',
} as const;

/** Per shard of GRAPH_FILES.identities, the smallest and largest `[nsu, id]` in it (JSON, sorted by shard). */
export const IDENTITY_INDEX_FILE = 'identities-index.json';

/** One entry of {@link IDENTITY_INDEX_FILE}. */
export interface IdentityShard {
  readonly shard: string;
  readonly min: readonly [string, string];
  readonly max: readonly [string, string];
}

/** Safety net only: pointer jumping converges in O(log n) iterations on every graph we have measured. */
const MAX_LABEL_ITERATIONS = 200;

/**
 * Every identity occurrence of every record, with its context: the record's `"$identities"` plus its primary identity
 * (`pos` 0), keyed by `("$fid", "$rn")`; empty ids are not identities.
 */
function occurrencesSql(sources: readonly SourceView[]): string {
  const context = '"$fid", "$rn", "$batch_completed_at" AS bca, "$batch" AS batch, "$file" AS file, "$row" AS row_in_file';
  const perSource = sources.map(
    ({ view }) =>
      `SELECT ${context}, "$primary_ns" AS ns, "$primary_id" AS id, 0 AS pos, true AS is_primary FROM ${view} ` +
      `UNION ALL SELECT "$fid", "$rn", bca, batch, file, row_in_file, ident.ns, ident.id, pos, false FROM (` +
      `SELECT ${context}, unnest("$identities") AS ident, generate_subscripts("$identities", 1) AS pos FROM ${view})`,
  );
  const none =
    'SELECT NULL::INTEGER AS "$fid", NULL::BIGINT AS "$rn", NULL::TIMESTAMP AS bca, NULL::INTEGER AS batch, NULL::VARCHAR AS file, ' +
    'NULL::BIGINT AS row_in_file, NULL::VARCHAR AS ns, NULL::VARCHAR AS id, 0 AS pos, false AS is_primary';
  const union = perSource.length > 0 ? perSource.join(' UNION ALL ') : none;
  return `SELECT * FROM (${union}) WHERE ns IS NOT NULL AND id IS NOT NULL AND id <> ''`;
}

/**
 * The identity occurrences the graph is built from, as a narrow temp table (`"$fid", "$rn", nsu, id, is_primary`):
 * the widest table of the build, so it carries nothing else (namespaces come from {@link namespacesSql}).
 */
export function identityOccurrencesSql(sources: readonly SourceView[]): string {
  return `CREATE OR REPLACE TEMP TABLE stitch_occurrences AS SELECT "$fid", "$rn", upper(ns) AS nsu, id, is_primary FROM (${occurrencesSql(sources)})`;
}

/**
 * Namespaces in their first-used form (earliest batch completion, then batch, file, row, position), straight from
 * the sources: a streaming aggregate with one group per namespace.
 */
export function namespacesSql(sources: readonly SourceView[]): string {
  return (
    `CREATE OR REPLACE TEMP TABLE stitch_namespaces AS SELECT upper(ns) AS nsu, ` +
    `arg_min(ns, {'t': bca, 'b': batch, 'f': file, 'r': row_in_file, 'p': pos}) AS ns FROM (${occurrencesSql(sources)}) GROUP BY ALL`
  );
}

/**
 * The graph's node table, numbered in (upper namespace, id) byte order — `COLLATE C` is binary, and UTF-8
 * byte order is code-point order — so the smallest node of a component is its profile key identity.
 */
export const GRAPH_TABLES_SQL = [
  `CREATE OR REPLACE TEMP TABLE stitch_nodes AS
     SELECT row_number() OVER (ORDER BY nsu COLLATE C, id COLLATE C) AS node, nsu, id FROM (SELECT DISTINCT nsu, id FROM stitch_occurrences)`,
  `CREATE OR REPLACE TEMP TABLE stitch_record_nodes AS
     SELECT o."$fid", o."$rn", n.node, o.is_primary FROM stitch_occurrences o JOIN stitch_nodes n ON n.nsu = o.nsu AND n.id = o.id`,
] as const;

/** A star per record: every identity of a record linked to the record's smallest identity (k − 1 edges, not k²). */
export const EDGES_SQL = `CREATE OR REPLACE TEMP TABLE stitch_edges AS
  SELECT DISTINCT node AS a, rep AS b
  FROM (SELECT node, min(node) OVER (PARTITION BY "$fid", "$rn") AS rep FROM stitch_record_nodes)
  WHERE node <> rep`;

export const LABELS_INIT_SQL = 'CREATE OR REPLACE TEMP TABLE stitch_labels AS SELECT node, node AS label FROM stitch_nodes';

/**
 * One label-propagation step (hook, then jump), written as a new table. Invariant: label(v) ≤ v and lies in
 * v's component. Hook: for each edge whose ends carry different labels, the larger label node adopts the
 * smaller label, so a whole tree moves at once rather than one node per step. Jump: every node takes the label
 * of its label (pointer jumping), halving chains. At the fixpoint every edge joins equal labels and every label
 * is its own label, so each component carries its minimum node. `changed` marks nodes whose label dropped.
 * A full rewrite (CREATE TABLE AS) rather than an UPDATE: DuckDB rewrites 2.7M labels in ~1 s but needs ~6 s
 * to UPDATE 1.7M of them.
 */
export const LABEL_STEP_SQL = `CREATE OR REPLACE TEMP TABLE stitch_labels_next AS
  WITH ends AS (
    SELECT la.label AS x, lb.label AS y
    FROM stitch_edges e JOIN stitch_labels la ON la.node = e.a JOIN stitch_labels lb ON lb.node = e.b
    WHERE la.label <> lb.label),
  hooks AS (SELECT greatest(x, y) AS node, min(least(x, y)) AS label FROM ends GROUP BY greatest(x, y)),
  hooked AS (
    SELECT l.node, l.label AS old_label, least(l.label, coalesce(h.label, l.label)) AS label
    FROM stitch_labels l LEFT JOIN hooks h ON h.node = l.node)
  SELECT s.node, p.label, p.label < s.old_label AS changed FROM hooked s JOIN hooked p ON p.node = s.label`;

/**
 * Runs {@link LABEL_STEP_SQL} until no label changes; returns the number of steps run (the last changes
 * nothing). Between steps only a count over the `changed` column and a table rename happen.
 */
export async function propagateComponentLabels(connection: DuckDBConnection): Promise<number> {
  for (let iteration = 1; iteration <= MAX_LABEL_ITERATIONS; iteration++) {
    await connection.run(LABEL_STEP_SQL);
    const changed = await countOf(connection, 'SELECT count_if(changed) AS n FROM stitch_labels_next');
    await connection.run('DROP TABLE stitch_labels');
    await connection.run('ALTER TABLE stitch_labels_next RENAME TO stitch_labels');
    if (changed === 0) return iteration;
  }
  throw new Error(`Identity stitching did not converge in ${MAX_LABEL_ITERATIONS} iterations`);
}

async function countOf(connection: DuckDBConnection, sql: string): Promise<number> {
  return Number((await connection.runAndReadAll(sql)).getRowObjectsJS()[0]?.['n'] ?? 0);
}

/** `(profile, node)` pairs: the component's minimum node (pdg) or the primary identities of the records carrying the node (none). */
export function membersSql(identityGraph: MergeRules['identityGraph']): string {
  return identityGraph === 'pdg'
    ? 'SELECT label AS profile, node FROM stitch_labels'
    : `SELECT DISTINCT p.node AS profile, o.node FROM stitch_record_nodes o
       JOIN stitch_record_nodes p ON p."$fid" = o."$fid" AND p."$rn" = o."$rn" AND p.is_primary`;
}

/**
 * `(node, profile)`: the profile a lookup of the node resolves to, from `(profile, node)` pairs. One profile per node
 * under pdg; under none an identity carried by several profiles (a shared e-mail) resolves to the profile whose
 * primary it is, else to the smallest profile.
 */
export function resolvedProfileSql(members: string): string {
  return `SELECT node, CASE WHEN bool_or(profile = node) THEN node ELSE min(profile) END AS profile FROM ${members} GROUP BY node`;
}

/** Result of {@link stitchIdentityGraph}. */
export interface StitchOutcome {
  readonly nodes: number;
  readonly edges: number;
  /** Label propagation statements run (0 for `none`). */
  readonly iterations: number;
}

/**
 * Builds the identity graph of every record of `sources` and writes {@link GRAPH_FILES} into `outputDir`.
 * Uses temp tables of `connection` and drops them afterwards.
 */
export async function stitchIdentityGraph(
  connection: DuckDBConnection,
  sources: readonly SourceView[],
  identityGraph: MergeRules['identityGraph'],
  outputDir: string,
): Promise<StitchOutcome> {
  await connection.run(namespacesSql(sources));
  await connection.run(identityOccurrencesSql(sources));
  for (const statement of GRAPH_TABLES_SQL) await connection.run(statement);
  await connection.run('DROP TABLE stitch_occurrences');
  let iterations = 0;
  let edges = 0;
  if (identityGraph === 'pdg') {
    await connection.run(EDGES_SQL);
    edges = await countOf(connection, 'SELECT count(*) AS n FROM stitch_edges');
    await connection.run(LABELS_INIT_SQL);
    iterations = await propagateComponentLabels(connection);
  }
  const nodes = await countOf(connection, 'SELECT count(*) AS n FROM stitch_nodes');
  await connection.run(`CREATE OR REPLACE TEMP TABLE stitch_members AS ${membersSql(identityGraph)}`);
  await connection.run('DROP TABLE IF EXISTS stitch_edges');
  await connection.run('DROP TABLE IF EXISTS stitch_labels');
  await writeSharded(connection, {
    select:
      `SELECT n.node, n.nsu, n.id, f.ns, r.profile FROM stitch_nodes n JOIN stitch_namespaces f USING (nsu) ` +
      `JOIN (${resolvedProfileSql('stitch_members')}) r USING (node) ORDER BY n.node`,
    key: 'node',
    dir: path.join(outputDir, GRAPH_FILES.identities),
  });
  await writeSharded(connection, {
    select: `SELECT m.profile, m.node, n.nsu, n.id, f.ns FROM stitch_members m JOIN stitch_nodes n USING (node) JOIN stitch_namespaces f USING (nsu) ORDER BY m.profile, m.node`,
    key: 'profile',
    dir: path.join(outputDir, GRAPH_FILES.members),
  });
  // Node numbers follow (nsu, id) byte order, so the shards of the identities cover disjoint, ordered key ranges.
  const shards = (
    await connection.runAndReadAll(
      `SELECT (node // ${SHARD_KEYS})::VARCHAR AS shard, min({'n': nsu, 'i': id}) AS lo, max({'n': nsu, 'i': id}) AS hi FROM stitch_nodes GROUP BY ALL ORDER BY min(node)`,
    )
  ).getRowObjectsJS();
  const index: IdentityShard[] = shards.map((row) => {
    const lo = row['lo'] as { n: string; i: string };
    const hi = row['hi'] as { n: string; i: string };
    return { shard: row['shard'] as string, min: [lo.n, lo.i], max: [hi.n, hi.i] };
  });
  await writeFile(path.join(outputDir, IDENTITY_INDEX_FILE), JSON.stringify(index));
  for (const table of ['stitch_members', 'stitch_record_nodes', 'stitch_namespaces', 'stitch_nodes']) {
    await connection.run(`DROP TABLE IF EXISTS ${table}`);
  }
  return { nodes, edges, iterations };
}
