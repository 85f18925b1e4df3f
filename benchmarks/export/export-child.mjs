// Child process of the export benchmark: one scenario (job JSON in argv[2]: fixture, format, destination target,
// folder, work dir, memory) on fresh DuckDB instances as the server opens them, so its peak RSS is the export's own.
// The audience goes through the export pipeline as a run does (runAudienceExport: engine → staged files → connector
// upload and atomic publish → manifest), with the engine and the connector wrapped to time each stage. Prints one
// JSON line: `{ engineMs, engineMaxRssMiB, writeMs, publishMs, uploadMs, totalMs, rows, …recordSummary, files, bytes, maxRssMiB }`.
import os from 'node:os';
import path from 'node:path';
import { loadServerModules } from '../support/demo-lake.mjs';
import { AUDIENCE_ID, exportRequest } from './fixture.mjs';

const job = JSON.parse(process.argv[2]);
const { database, engines, connectors, pipeline, plans } = await loadServerModules(
  {
    database: 'engine/duckdb/duckdb-database.js', engines: 'engine/duckdb/duckdb-engine.js', connectors: 'connectors/connector-factory.js',
    pipeline: 'export/export-pipeline.js', plans: 'export/export-plan.js',
  },
  'export',
);

// As the server opens them (main.ts): the query instance (here it only finds the cached derived tables) and the
// export instance with the export memory limit.
const open = (memoryLimitMb, spill, settings = {}) =>
  database.DuckDbDatabase.open({ memoryLimitMb, threads: os.availableParallelism(), tempDirectory: path.join(job.work, spill), ...settings });
const exportDb = await open(job.memoryMb, 'spill-export', { parquetMetadataCache: false });
const analytics = engines.createDuckDbAnalyticsEngine(await open(job.queryMemoryMb, 'spill'), {}, exportDb);
const connector = connectors.createConnectorFactory({ callTimeoutMs: 120_000 }).open(job.target);
const stages = { engineMs: 0, writeMs: 0, publishMs: 0 };
const timed = async (stage, work) => {
  const started = performance.now();
  try {
    return await work();
  } finally {
    stages[stage] += performance.now() - started;
  }
};
let summary;
const engine = {
  exportAudience: (request) =>
    timed('engineMs', async () => {
      summary = await analytics.exportAudience(request);
      stages.engineMaxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
      return summary;
    }),
};
const timedConnector = {
  capabilities: connector.capabilities,
  describe: (folder) => connector.describe(folder),
  checkConnection: (options) => connector.checkConnection(options),
  delete: (location, options) => connector.delete(location, options),
  list: (folder, options) => connector.list(folder, options),
  close: () => connector.close(),
  beginUpload: async (location, options) => {
    const pending = await connector.beginUpload(location, options);
    return {
      write: (body) => timed('writeMs', () => pending.write(body)),
      publish: () => timed('publishMs', () => pending.publish()),
      abort: () => pending.abort(),
    };
  },
};

const request = exportRequest(job.fixture, job.format, '');
const plan = {
  columns: request.columns, mandatory: request.mandatory, dedupKey: request.dedupKey, format: request.format, maxFileRowCount: request.maxFileRowCount,
  folder: job.folder, baseName: `bench_${AUDIENCE_ID}`, extension: plans.fileExtensionOf(request.format, false), pgpPublicKey: undefined,
  manifestName: 'manifest-bench-run.json',
};
const noEncryption = { encrypt: () => { throw new Error('the benchmark does not encrypt'); } };
const result = {};
try {
  const started = performance.now();
  const outcome = await pipeline.runAudienceExport(
    { engine, connector: timedConnector, encryptor: noEncryption, tmpDir: path.join(job.work, 'staging') },
    {
      source: { scope: request.scope, audienceId: request.audienceId, snapshot: request.snapshot, includeExpired: false },
      plan, run: { id: 'bench-run', scheduledAt: Date.now(), attempt: 1 },
    },
  );
  result.totalMs = performance.now() - started;
  Object.assign(result, stages, {
    uploadMs: result.totalMs - stages.engineMs, rows: summary.outputRecordCount, inputRecordCount: summary.inputRecordCount,
    skippedRecordCount: summary.skippedRecordCount, deduplicatedRowCount: summary.deduplicatedRowCount,
    files: outcome.files.length, bytes: outcome.files.reduce((sum, file) => sum + file.size, 0),
  });
} finally {
  await connector.close();
  await analytics.close();
}
result.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(result));
