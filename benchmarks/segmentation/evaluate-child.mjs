// Child process of the segmentation benchmark (job JSON in argv[2]): compiles the audiences, builds the profile
// tables (untimed), checks that compiled and hand-written SQL select the same profiles, then times both forms over the
// same relations and a whole SegmentEngine evaluation. Prints one JSON line with its timings and its own max RSS.
import os from 'node:os';
import path from 'node:path';
import { checkPql, compilePql } from '@activator/pql';
import { lakeScope, loadServerModules } from '../support/demo-lake.mjs';
import { AUDIENCES, NOW } from './audiences.mjs';

const job = JSON.parse(process.argv[2]);
const { database, profiles, segments, relations, engine, shards } = await loadServerModules(
  {
    database: 'engine/duckdb/duckdb-database.js', profiles: 'engine/duckdb/duckdb-profiles.js', segments: 'engine/duckdb/duckdb-segments.js',
    relations: 'engine/duckdb/segment-relations.js', engine: 'engine/engine.js', shards: 'engine/duckdb/sharded-parquet.js',
  },
  'segmentation',
);

const db = await database.DuckDbDatabase.open({ memoryLimitMb: job.memoryMb, threads: os.availableParallelism(), tempDirectory: path.join(job.work, 'spill') });
const profileEngine = new profiles.DuckDbProfileEngine(db);
const segmentEngine = new segments.DuckDbSegmentEngine(db, profileEngine);
const scope = lakeScope(job.lake, { identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } }, path.join(job.work, 'derived'));

const catalogue = {
  profile: scope.profileDatasets.flatMap((dataset) => dataset.schema.fields),
  event: [{ path: 'timestamp', type: 'date-time' }, { path: '_id', type: 'string' }, ...scope.eventDatasets.flatMap((dataset) => dataset.schema.fields)],
};
const unique = (fields) => [...new Map(fields.map((field) => [field.path, field])).values()];
const fieldCatalogue = { profile: unique(catalogue.profile), event: unique(catalogue.event) };
const compiled = AUDIENCES.map((audience, index) => {
  const checked = checkPql(audience.pql, { catalogue: fieldCatalogue });
  if (!checked.ok || checked.expression === undefined) throw new Error(`${audience.name}: ${JSON.stringify(checked.diagnostics)}`);
  const sql = compilePql(checked.expression, { dialect: 'duckdb', now: NOW, relations: engine.SEGMENT_RELATIONS });
  return { id: `audience-${index}`, sql: sql.sql, parameters: sql.parameters, fields: checked.fields, name: audience.name, hand: audience.sql };
});

const tables = await profileEngine.derivedTables(scope);
const result = { slowest: [] };
try {
  await db.withConnection(async (connection) => {
    const fields = compiled.flatMap((audience) => audience.fields);
    let started = performance.now();
    await relations.createProfilesRelation(connection, { scope, tables, fields });
    await relations.createEventsRelation(connection, { scope, tables, fields, identities: shards.readAllShardsSql(tables.identities) });
    await relations.createMembershipsRelation(connection);
    result.relationsMs = performance.now() - started;
    const materialise = (sql, parameters) => connection.run(`CREATE OR REPLACE TEMP TABLE "$members" AS SELECT DISTINCT "$profile" FROM (${sql}) AS "$query"`, [...parameters]);
    const count = async (table) => Number((await connection.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0][0]);
    // Same members both ways, or nothing is worth timing.
    for (const audience of compiled) {
      await materialise(audience.sql, audience.parameters);
      await connection.run('CREATE OR REPLACE TEMP TABLE "$expected" AS SELECT DISTINCT "$profile" FROM (' + audience.hand + ') AS "$query"');
      const differing = await count('((SELECT * FROM "$members" EXCEPT SELECT * FROM "$expected") UNION ALL (SELECT * FROM "$expected" EXCEPT SELECT * FROM "$members"))');
      if (differing !== 0) throw new Error(`${audience.name}: compiled and hand-written SQL differ on ${differing} profiles\n${audience.sql}`);
    }
    const timings = compiled.map((audience) => ({ name: audience.name, compiledMs: 0, handMs: 0 }));
    // Alternate the two forms, three rounds, keeping each statement's best time (caches warm for both).
    for (let round = 0; round < 3; round += 1) {
      for (const [index, audience] of compiled.entries()) {
        const timing = timings[index];
        started = performance.now();
        await materialise(audience.hand, []);
        const hand = performance.now() - started;
        started = performance.now();
        await materialise(audience.sql, audience.parameters);
        const own = performance.now() - started;
        timing.handMs = round === 0 ? hand : Math.min(timing.handMs, hand);
        timing.compiledMs = round === 0 ? own : Math.min(timing.compiledMs, own);
      }
    }
    result.compiledMs = timings.reduce((sum, timing) => sum + timing.compiledMs, 0);
    result.handMs = timings.reduce((sum, timing) => sum + timing.handMs, 0);
    result.slowest = [...timings].sort((a, b) => b.compiledMs / b.handMs - a.compiledMs / a.handMs).slice(0, 3);
  });
  const queries = compiled.map(({ id, sql, parameters, fields }) => ({ id, sql, parameters, fields }));
  const evaluate = async (name, previous) => {
    const started = performance.now();
    const evaluation = await segmentEngine.evaluateSegments({
      scope, audiences: queries, dependencies: new Map(), previous, evaluatedAt: NOW.getTime(), outputDir: path.join(job.work, name),
    });
    const failed = evaluation.audiences.filter((outcome) => !outcome.ok);
    if (failed.length > 0) throw new Error(`audiences failed: ${JSON.stringify(failed)}`);
    return { ms: performance.now() - started, evaluation };
  };
  // Job 1: every member is realized. Job 2 against job 1's snapshots: the same members, all existing.
  const first = await evaluate('job-1', new Map());
  result.jobMs = first.ms;
  result.members = first.evaluation.audiences.reduce((sum, outcome) => sum + outcome.counts.realized + outcome.counts.existing, 0);
  result.totalProfiles = first.evaluation.totalProfiles;
  const previous = new Map(first.evaluation.audiences.map((outcome) => [outcome.id, outcome.snapshot]));
  const second = await evaluate('job-2', previous);
  result.secondJobMs = second.ms;
  const existing = second.evaluation.audiences.reduce((sum, outcome) => sum + outcome.counts.existing, 0);
  if (existing !== result.members) throw new Error(`job 2 should find every member of job 1 existing: ${existing} of ${result.members}`);
  // A preview over events on a 10% sample, as the audience editor asks for while someone types.
  const started = performance.now();
  const preview = await segmentEngine.previewSegment({
    scope, query: queries[16], external: new Map(), sampleSize: Math.ceil(result.totalProfiles / 10), limit: 20,
  });
  result.previewMs = performance.now() - started;
  result.previewSampled = preview.sampled;
} finally {
  db.close();
}
result.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(result));
