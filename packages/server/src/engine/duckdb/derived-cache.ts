// Derived tables (identity graph, merged profiles) cached as Parquet directories keyed by a hash of their inputs.
//
// Layout under a scope's derivedDir:
//   graph-<key>/identities.parquet, members.parquet   — one per (batches of every dataset, identity-graph type)
//   profiles-<key>/profiles.parquet                   — one per (graph key, attribute merge, profile schemas)
//   .tmp-<name>-<pid>-<uuid>/                         — a build in progress; renamed into place when complete
// A directory without the `.tmp-` prefix is always complete, because it only ever appears by rename(2).
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';

/** A short, stable hash of JSON-serialisable inputs (object keys in the order given: build inputs canonically). */
export function derivedKey(inputs: unknown): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 32);
}

/** What happened when a derived table was asked for. */
export interface DerivedTableEvent {
  readonly name: string;
  readonly outcome: 'built' | 'reused';
  /** Time spent building (0 when reused). */
  readonly durationMs: number;
}

export interface DerivedCacheOptions {
  /** Entries not used for this long are removed when another entry is published (default 24 h). */
  readonly retentionMs?: number;
  readonly onEvent?: (event: DerivedTableEvent) => void;
  readonly now?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Publishes derived directories atomically and shares in-flight builds. Builders in other processes may race
 * for the same name: each writes its own temp directory and the first rename wins; the loser's copy (identical,
 * since builds are deterministic) is discarded.
 */
export class DerivedCache {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly options: DerivedCacheOptions = {}) {}

  /** The complete directory `<derivedDir>/<name>`, built by `build(tempDir)` unless it exists. */
  ensure(derivedDir: string, name: string, build: (tempDir: string) => Promise<void>): Promise<string> {
    const finalDir = path.join(derivedDir, name);
    const running = this.inflight.get(finalDir);
    if (running) return running;
    const work = this.ensureUncached(derivedDir, name, finalDir, build).finally(() => this.inflight.delete(finalDir));
    this.inflight.set(finalDir, work);
    return work;
  }

  private async ensureUncached(derivedDir: string, name: string, finalDir: string, build: (tempDir: string) => Promise<void>): Promise<string> {
    const now = this.options.now ?? Date.now;
    if (await isDirectory(finalDir)) {
      // The directory's mtime records its last use, for pruning; contents are never rewritten.
      const at = new Date(now());
      await utimes(finalDir, at, at).catch(() => undefined);
      this.options.onEvent?.({ name, outcome: 'reused', durationMs: 0 });
      return finalDir;
    }
    const started = now();
    await mkdir(derivedDir, { recursive: true });
    const tempDir = path.join(derivedDir, `.tmp-${name}-${process.pid}-${randomUUID()}`);
    await mkdir(tempDir);
    try {
      await build(tempDir);
      await rename(tempDir, finalDir).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
        await rm(tempDir, { recursive: true, force: true });
      });
    } catch (error) {
      await rm(tempDir, { recursive: true, force: true });
      throw error;
    }
    this.options.onEvent?.({ name, outcome: 'built', durationMs: now() - started });
    await this.prune(derivedDir, finalDir);
    return finalDir;
  }

  /** Removes entries (and abandoned temp directories) unused for longer than the retention. */
  private async prune(derivedDir: string, keep: string): Promise<void> {
    const cutoff = (this.options.now ?? Date.now)() - (this.options.retentionMs ?? DAY_MS);
    for (const entry of await readdir(derivedDir)) {
      const entryPath = path.join(derivedDir, entry);
      if (entryPath === keep || !/^(?:\.tmp-)?(?:graph|profiles)-/.test(entry)) continue;
      const info = await stat(entryPath).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) await rm(entryPath, { recursive: true, force: true });
    }
  }
}

async function isDirectory(candidate: string): Promise<boolean> {
  const info = await stat(candidate).catch(() => undefined);
  return info?.isDirectory() ?? false;
}
