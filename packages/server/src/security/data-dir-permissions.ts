// The data directory is owner-only (SPEC §13.5): 0700 directories and 0600 files, for what exists and what is written later.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The process umask under which every new file is 0600 and every new directory 0700 (DuckDB's and SQLite's included). */
export const OWNER_ONLY_UMASK = 0o077;

/** Sets `path`'s mode when it differs; symbolic links are left alone (never followed). */
function restrict(target: string, directory: boolean): void {
  const mode = directory ? 0o700 : 0o600;
  if ((lstatSync(target).mode & 0o777) !== mode) chmodSync(target, mode);
}

function restrictTree(dir: string): void {
  restrict(dir, true);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) restrictTree(full);
    else if (entry.isFile()) restrict(full, false);
  }
}

/**
 * Makes `dataDir` owner-only from now on: sets the process umask to 077 (so files written later — by
 * Node, SQLite or DuckDB — are 0600, directories 0700) and creates the directory, or tightens its own
 * mode, as 0700. With `existingContents`, also tightens everything an older version left inside with
 * wider modes (a walk of the whole tree: `serve` does it once at start). Returns the previous umask.
 */
export function secureDataDir(dataDir: string, options: { existingContents?: boolean } = {}): number {
  const previous = process.umask(OWNER_ONLY_UMASK);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (options.existingContents === true) restrictTree(dataDir);
  else restrict(dataDir, true);
  return previous;
}
