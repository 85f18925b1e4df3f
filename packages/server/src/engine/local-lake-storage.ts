// The lake on the local filesystem under the data directory (SPEC §13.5): staging, lake batches, error reports, caches.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { UploadRejectedError, type LakeStorage, type StagedFile } from './engine.js';

/** Suffix of a staged upload's generated name, and of the temporary file it is written to first. */
const STAGED_SUFFIX = '.upload';
const PARTIAL_SUFFIX = '.part';

/** An id used as one path component: our ids are UUIDs, so anything else is a bug, never a path to follow. */
function plainName(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new Error(`Not a plain id: ${JSON.stringify(id)}`);
  return id;
}

/** Builds the LakeStorage of a data directory. */
export function createLocalLakeStorage(dataDir: string): LakeStorage {
  const staging = (batchId: string) => path.join(dataDir, 'staging', batchId);
  return {
    tmpDir: path.join(dataDir, 'tmp'),
    derivedDir: (sandboxId) => path.join(dataDir, 'derived', sandboxId),
    batchLakeDir: (sandboxId, datasetId, batchId) => path.join(dataDir, 'lake', sandboxId, datasetId, batchId),
    errorsDir: (batchId) => path.join(dataDir, 'errors', batchId),

    async stageFile(batchId, fileName, body, limits) {
      const dir = staging(batchId);
      await mkdir(dir, { recursive: true });
      // Every upload gets its own generated name (hex and dashes: never a glob pattern, never a dot file), so
      // uploads of one client name at once never share a file; the client's name stays metadata. DuckDB's
      // readers expand `*`, `?` and `[…]` in a path whenever the pattern matches some file (a name is read
      // literally only when the pattern matches nothing): a client's `*.csv` as a path read every staged file.
      const stagedAs = `${randomUUID()}${STAGED_SUFFIX}`;
      const partial = path.join(dir, `${stagedAs}${PARTIAL_SUFFIX}`);
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          if (size > limits.maxBytes) done(new UploadRejectedError('too-large', `File ${fileName} is larger than the upload limit of ${limits.maxBytes} bytes`));
          else done(null, chunk);
        },
      });
      try {
        await pipeline(Readable.from(body), counter, createWriteStream(partial));
        if (limits.declaredLength !== undefined && size < limits.declaredLength) {
          throw new UploadRejectedError('incomplete', `File ${fileName} ended after ${size} of ${limits.declaredLength} declared bytes`);
        }
        await rename(partial, path.join(dir, stagedAs));
        return { stagedAs, size };
      } catch (error) {
        await rm(partial, { force: true });
        if (error instanceof UploadRejectedError) throw error;
        // A file-system error names a server path in its message: only its code reaches the client.
        const failure = error as NodeJS.ErrnoException;
        throw new UploadRejectedError('incomplete', `File ${fileName} was not received completely: ${failure.path === undefined ? failure.message : (failure.code ?? 'I/O error')}`);
      }
    },

    stagedFiles(batchId, files) {
      return files.map((file): StagedFile => ({ name: file.name, path: path.join(staging(batchId), file.stagedAs ?? file.name) }));
    },

    async discardStagedFile(batchId, stagedAs) {
      await rm(path.join(staging(batchId), stagedAs), { force: true });
    },

    async sweep() {
      let removed = 0;
      const root = path.join(dataDir, 'staging');
      for (const batchDir of await readdir(root).catch(() => [] as string[])) {
        const names = await readdir(path.join(root, batchDir)).catch(() => [] as string[]);
        for (const name of names.filter((candidate) => candidate.endsWith(PARTIAL_SUFFIX))) {
          await rm(path.join(root, batchDir, name), { force: true });
          removed++;
        }
      }
      return removed;
    },

    async discardStaging(batchId) {
      await rm(staging(batchId), { recursive: true, force: true });
    },

    async errorFile(batchId, name) {
      const file = path.join(dataDir, 'errors', batchId, name);
      try {
        return { path: file, size: (await stat(file)).size };
      } catch {
        return undefined;
      }
    },

    async prepareSnapshotStaging(jobId) {
      const dir = path.join(dataDir, 'tmp', 'segment-jobs', plainName(jobId));
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      return dir;
    },

    async discardSnapshotStaging(jobId) {
      await rm(path.join(dataDir, 'tmp', 'segment-jobs', plainName(jobId)), { recursive: true, force: true });
    },

    async publishSnapshot(stagedPath, sandboxId, segmentId, jobId) {
      const dir = path.join(dataDir, 'snapshots', plainName(sandboxId), plainName(segmentId));
      await mkdir(dir, { recursive: true });
      const target = path.join(dir, `${plainName(jobId)}.parquet`);
      await rename(stagedPath, target);
      return target;
    },

    async removeSnapshot(filePath) {
      const root = path.join(dataDir, 'snapshots') + path.sep;
      if (!path.resolve(filePath).startsWith(root)) throw new Error(`Refusing to remove ${filePath}: not a snapshot of this data directory`);
      await rm(filePath, { force: true });
    },

    async removeSandboxData(sandboxId, batchIds) {
      await rm(path.join(dataDir, 'snapshots', sandboxId), { recursive: true, force: true });
      await rm(path.join(dataDir, 'lake', sandboxId), { recursive: true, force: true });
      await Promise.all(batchIds.map((batchId) => rm(path.join(dataDir, 'errors', batchId), { recursive: true, force: true })));
      await rm(path.join(dataDir, 'derived', sandboxId), { recursive: true, force: true });
    },

    async removeDatasetData(sandboxId, datasetId, batchIds) {
      await rm(path.join(dataDir, 'lake', sandboxId, datasetId), { recursive: true, force: true });
      await Promise.all(batchIds.map((batchId) => rm(path.join(dataDir, 'errors', batchId), { recursive: true, force: true })));
      await rm(path.join(dataDir, 'derived', sandboxId), { recursive: true, force: true });
    },
  };
}
