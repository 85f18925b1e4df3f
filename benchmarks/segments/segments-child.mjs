// Child process of the segments benchmark: builds the derived tables (timed apart), then evaluates the audiences on a
// fresh DuckDB with the given memory limit; prints its timings, counts and its own max RSS as one JSON line.
import os from 'node:os';
import path from 'node:path';

const job = JSON.parse(process.argv[2]);
const dist = new URL('../../packages/server/dist/', import.meta.url);
const { DuckDbDatabase } = await import(new URL('engine/duckdb/duckdb-database.js', dist).href);
const { DuckDbProfileEngine } = await import(new URL('engine/duckdb/duckdb-profiles.js', dist).href);
const { DuckDbSegmentEngine } = await import(new URL('engine/duckdb/duckdb-segments.js', dist).href);
const { SEGMENT_RELATIONS } = await import(new URL('engine/engine.js', dist).href);
const { checkPql, compilePql } = await import(new URL('../../pql/dist/index.js', dist).href);

const pick = (cls) => job.lake.datasets.filter((d) => d.schema.class === cls).map(({ id, schema, batchDirs }) => ({ id, schema, batchDirs }));
const scope = { sandboxId: 'bench', rules: { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } }, derivedDir: job.lake.derivedDir, profileDatasets: pick('profile'), eventDatasets: pick('experienceEvent') };
const catalogueOf = (datasets) => {
  const byPath = new Map();
  for (const dataset of datasets) for (const field of dataset.schema.fields) if (!byPath.has(field.path)) byPath.set(field.path, { path: field.path, type: field.type, ...(field.items ? { items: field.items } : {}) });
  return [...byPath.values()];
};
const catalogue = { profile: catalogueOf(scope.profileDatasets), event: [{ path: 'timestamp', type: 'date-time' }, { path: '_id', type: 'string' }, ...catalogueOf(scope.eventDatasets)] };
const NOW = new Date('2026-11-01T12:00:00Z');
const TEXTS = {
  richUs: 'loyalty.points >= 1000 and homeAddress.countryCode = "US"',
  premium: 'loyalty.tier in ["gold", "platinum"]',
  buyers: 'xEvent[eventType = "commerce.purchases"].count() >= 2',
  spenders: '(sum X.commerce.order.priceTotal over X from xEvent where X.eventType = "commerce.purchases") > 500',
  richUsOptIn: 'inSegment("richUs") and consent.marketing = true',
};
const compile = (id) => {
  const checked = checkPql(TEXTS[id], { catalogue, segment: (other) => (other in TEXTS ? { id: other, mergePolicyId: 'mp', dependencies: [] } : undefined) });
  if (!checked.ok) throw new Error(`${id}: ${JSON.stringify(checked.diagnostics)}`);
  const compiled = compilePql(checked.expression, { dialect: 'duckdb', now: NOW, relations: SEGMENT_RELATIONS });
  return { id, sql: compiled.sql, parameters: compiled.parameters, fields: checked.fields };
};
const audiences = Object.keys(TEXTS).map(compile);
const dependencies = new Map([['richUsOptIn', ['richUs']]]);

const db = await DuckDbDatabase.open({ memoryLimitMb: job.memoryMb, threads: os.availableParallelism(), tempDirectory: path.join(job.work, 'spill') });
const result = { counts: {} };
try {
  const profiles = new DuckDbProfileEngine(db);
  let started = performance.now();
  await profiles.derivedTables(scope);
  result.buildMs = performance.now() - started;
  const rssAfterBuild = process.resourceUsage().maxRSS;
  const segments = new DuckDbSegmentEngine(db, profiles);
  const run = async (name, list, previous) => {
    const begin = performance.now();
    const outcome = await segments.evaluateSegments({ scope, audiences: list, dependencies, previous, evaluatedAt: NOW.getTime(), outputDir: path.join(job.work, name) });
    for (const audience of outcome.audiences) {
      if (!audience.ok) throw new Error(`${name} ${audience.id}: ${audience.error}`);
      result.counts[`${name}.${audience.id}`] = audience.counts;
    }
    result.totalProfiles = outcome.totalProfiles;
    return performance.now() - begin;
  };
  result.job1Ms = await run('job1', audiences, new Map());
  const previous = new Map(audiences.map((audience) => [audience.id, { path: path.join(job.work, 'job1', `${audience.id}.parquet`) }]));
  result.job2Ms = await run('job2', audiences, previous);
  result.profileOnlyMs = await run('single', [audiences[1]], new Map());
  started = performance.now();
  const preview = await segments.previewSegment({ scope, query: audiences[2], external: new Map(), sampleSize: Math.ceil(job.lake.size / 10), limit: 20 });
  result.previewMs = performance.now() - started;
  result.counts.preview = { estimatedSize: preview.estimatedSize, standardError: Math.round(preview.standardError), exact: result.counts['job1.buyers'] };
  result.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  result.rssAfterBuildMiB = Math.round(rssAfterBuild / 1024);
} finally {
  db.close();
}
console.log(JSON.stringify(result));
