// Child process of the profiles benchmark: one job (`build` or `baseline`, JSON in argv[2]) on a fresh DuckDB with
// the given memory limit; prints its timings and its own max RSS as one JSON line, so the parent measures this
// process alone.
import os from 'node:os';
import path from 'node:path';

const job = JSON.parse(process.argv[2]);
const dist = new URL('../../packages/server/dist/', import.meta.url);
const { DuckDbDatabase } = await import(new URL('engine/duckdb/duckdb-database.js', dist).href);
const { DuckDbProfileEngine } = await import(new URL('engine/duckdb/duckdb-profiles.js', dist).href);

const db = await DuckDbDatabase.open({ memoryLimitMb: job.memoryMb, threads: os.availableParallelism(), tempDirectory: path.join(job.work, 'spill') });
const quote = (text) => `'${text.replaceAll("'", "''")}'`;
const partsOf = (dataset) => `read_parquet(${quote(path.join(dataset.batchDirs[0], '*.parquet'))})`;
const byFile = Object.fromEntries(job.lake.datasets.map((dataset) => [dataset.id, dataset]));
const result = {};
try {
  if (job.mode === 'baseline') {
    const started = performance.now();
    for (const [file, key] of [['profiles', 'crmId'], ['loyalty', 'loyaltyId'], ['events', 'ecid']]) {
      await db.query(`COPY (SELECT * FROM ${partsOf(byFile[file])} ORDER BY ${key}) TO ${quote(path.join(job.work, `${file}.parquet`))} (FORMAT parquet)`);
    }
    result.ms = performance.now() - started;
  } else {
    const engine = new DuckDbProfileEngine(db);
    const scope = {
      sandboxId: 'bench', rules: { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } }, derivedDir: path.join(job.work, 'derived'),
      profileDatasets: job.lake.datasets.filter((d) => d.schema.class === 'profile').map(({ id, schema, batchDirs }) => ({ id, schema, batchDirs })),
      eventDatasets: job.lake.datasets.filter((d) => d.schema.class === 'experienceEvent').map(({ id, schema, batchDirs }) => ({ id, schema, batchDirs })),
    };
    let started = performance.now();
    await engine.derivedTables(scope);
    result.buildMs = performance.now() - started;
    const ids = (await db.query(`SELECT crmId FROM ${partsOf(byFile.profiles)} USING SAMPLE reservoir(101 ROWS) REPEATABLE (7)`)).map((row) => String(row.crmId));
    started = performance.now();
    const first = await engine.lookupProfile(scope, { namespace: 'CRMID', id: ids[0] });
    result.firstLookupMs = performance.now() - started;
    if (!first) throw new Error(`no profile for CRMID ${ids[0]}`);
    const times = [];
    for (const id of ids.slice(1)) {
      started = performance.now();
      const profile = await engine.lookupProfile(scope, { namespace: 'CRMID', id });
      times.push(performance.now() - started);
      if (!profile) throw new Error(`no profile for CRMID ${id}`);
    }
    times.sort((a, b) => a - b);
    result.lookups = times.length;
    result.warmMedianMs = times[Math.floor(times.length / 2)];
    result.warmP95Ms = times[Math.floor(times.length * 0.95)];
    result.profiles = await engine.countProfiles(scope);
    result.sample = first;
  }
} finally {
  db.close();
}
result.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(result));
