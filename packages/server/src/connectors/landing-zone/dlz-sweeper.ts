// The Data Landing Zone's retention (SPEC §6.5): files older than `ACTIVATOR_DLZ_TTL_DAYS` by modification time are
// deleted and the folders left empty are removed. Run hourly from main.ts; each sandbox's own directory is kept.
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface DlzSweepOptions {
  /** Files modified before `now - ttlMs` are deleted. */
  readonly ttlMs: number;
  /** Epoch ms (the caller's clock). */
  readonly now: number;
}

export interface DlzSweepResult {
  readonly filesDeleted: number;
  readonly foldersRemoved: number;
}

const isMissing = (error: unknown) => error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Sweeps one folder; returns whether it is empty afterwards. Only regular files and directories are considered:
 * symbolic links and other entries are never followed nor deleted. A file or folder that vanishes meanwhile (an
 * upload published, a sandbox reset) is skipped.
 */
async function sweepFolder(folder: string, cutoff: number, counts: { filesDeleted: number; foldersRemoved: number }): Promise<boolean> {
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  if (entries === undefined) return false;
  let remaining = entries.length;
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (await sweepFolder(full, cutoff, counts)) {
        // rmdir refuses a folder that got a file in the meantime (ENOTEMPTY): it simply stays.
        const removed = await rmdir(full).then(() => true, () => false);
        if (removed) {
          counts.foldersRemoved += 1;
          remaining -= 1;
        }
      }
    } else if (entry.isFile()) {
      const stats = await lstat(full).catch(() => undefined);
      if (stats === undefined) {
        remaining -= 1;
      } else if (stats.mtimeMs < cutoff) {
        await unlink(full).then(
          () => (counts.filesDeleted += 1),
          (error: unknown) => {
            if (!isMissing(error)) throw error;
          },
        );
        remaining -= 1;
      }
    }
  }
  return remaining === 0;
}

/** Sweeps every sandbox folder under `dlzRoot` (`<dataDir>/dlz`); a missing root is swept as empty. */
export async function sweepLandingZones(dlzRoot: string, options: DlzSweepOptions): Promise<DlzSweepResult> {
  const counts = { filesDeleted: 0, foldersRemoved: 0 };
  const cutoff = options.now - options.ttlMs;
  const sandboxes = await readdir(dlzRoot, { withFileTypes: true }).catch((error: unknown) => {
    if (isMissing(error)) return [];
    throw error;
  });
  for (const sandbox of sandboxes) {
    if (sandbox.isDirectory()) await sweepFolder(path.join(dlzRoot, sandbox.name), cutoff, counts);
  }
  return counts;
}
