// The lake on the local filesystem under the data directory (SPEC §13.5): staging, lake batches, error reports, caches.
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { UploadRejectedError, type LakeStorage, type StagedFile } from './engine.js';

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
      const partial = path.join(dir, `.${fileName}.part`);
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
        await rename(partial, path.join(dir, fileName));
        return { size };
      } catch (error) {
        await rm(partial, { force: true });
        if (error instanceof UploadRejectedError) throw error;
        throw new UploadRejectedError('incomplete', `File ${fileName} was not received completely: ${(error as Error).message}`);
      }
    },

    async stagedFiles(batchId) {
      const dir = staging(batchId);
      const names = await readdir(dir).catch(() => [] as string[]);
      return names.filter((name) => !name.startsWith('.')).sort().map((name): StagedFile => ({ name, path: path.join(dir, name) }));
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

    async removeSandboxData(sandboxId, batchIds) {
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
