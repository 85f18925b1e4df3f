// Child process of the export benchmark: one scenario (job JSON in argv[2]: fixture, format, destination, work dir,
// memory) on a fresh DuckDB limited to the export memory, so its peak RSS is the export's own. The audience is
// exported through the engine port (`exportAudience`, staging files) and each staged file is streamed to the
// destination through the connector port (beginUpload → write → publish), timed per stage. Prints one JSON line:
// `{ engineMs, uploadMs, totalMs, rows, inputRecordCount, skippedRecordCount, deduplicatedRowCount, files, bytes, maxRssMiB }`.
import { createReadStream, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadServerModules } from '../support/demo-lake.mjs';
import { exportRequest, FORMATS } from './fixture.mjs';

const job = JSON.parse(process.argv[2]);
const { database, engines, connectors } = await loadServerModules(
  { database: 'engine/duckdb/duckdb-database.js', engines: 'engine/duckdb/duckdb-engine.js', connectors: 'connectors/connector-factory.js' },
  'export',
);

const db = await database.DuckDbDatabase.open({ memoryLimitMb: job.memoryMb, threads: os.availableParallelism(), tempDirectory: path.join(job.work, 'spill') });
const engine = engines.createDuckDbAnalyticsEngine(db);
const connector = connectors.createConnectorFactory({ callTimeoutMs: 120_000 }).open(job.target);
const result = {};
try {
  const staging = path.join(job.work, 'staging');
  mkdirSync(staging, { recursive: true });
  const started = performance.now();
  const exported = await engine.exportAudience(exportRequest(job.fixture, job.format, staging));
  result.engineMs = performance.now() - started;
  const uploading = performance.now();
  for (const [index, file] of exported.files.entries()) {
    const upload = await connector.beginUpload({ folder: job.folder, name: `part-${String(index + 1).padStart(5, '0')}.${FORMATS[job.format].extension}` });
    try {
      await upload.write(createReadStream(file.path, { highWaterMark: 1 << 20 }));
      await upload.publish();
    } catch (error) {
      await upload.abort();
      throw error;
    }
  }
  result.uploadMs = performance.now() - uploading;
  result.totalMs = performance.now() - started;
  Object.assign(result, {
    rows: exported.outputRecordCount, inputRecordCount: exported.inputRecordCount, skippedRecordCount: exported.skippedRecordCount,
    deduplicatedRowCount: exported.deduplicatedRowCount, files: exported.files.length, bytes: exported.files.reduce((sum, file) => sum + file.bytes, 0),
  });
} finally {
  await connector.close();
  await engine.close();
}
result.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(result));
