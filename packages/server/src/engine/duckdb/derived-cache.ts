// Derived tables (identity graph, merged profiles) cached as Parquet directories keyed by a hash of their inputs.
//
// Layout under a scope's derivedDir:
//   graph-<key>/identities/, members/, identities-index.json — one per (batches of every dataset, identity-graph type)
//   profiles-<key>/fragments-<n>/, event-latest/      — one per (graph key, profile schemas); merge policies apply per lookup
//   .tmp-<name>-<pid>-<uuid>/                         — a build in progress; renamed into place when complete
//   .lock-<name>                                      — held by the one process building <name> (see DerivedCache)
// A directory without the `.tmp-` prefix is always complete, because it only ever appears by rename(2).
import { createHash, randomUUID } from 'node:crypto';
import { open, mkdir, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
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
  /** A build lock not refreshed for this long is taken over (its holder died without removing it; default 60 s). */
  readonly staleLockMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often a holder refreshes its lock's mtime. */
const HEARTBEAT_MS = 5_000;

/**
 * Publishes derived directories atomically and builds each one once: callers in this process share the in-flight
 * build, and processes sharing the data directory take turns through a lock file (`.lock-<name>`, created with
 * O_EXCL): the others wait for the directory to appear. A failed build publishes nothing and releases the lock,
 * so the next caller builds afresh. A lock whose holder died (same host and its pid is gone, or its mtime not
 * refreshed for `staleLockMs`) is taken over. Should two builders still race, the first rename wins and the other
 * copy (identical, since builds are deterministic) is discarded.
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
    if (await this.reuse(name, finalDir)) return finalDir;
    await mkdir(derivedDir, { recursive: true });
    const lock = path.join(derivedDir, `.lock-${name}`);
    for (let wait = 10; !(await acquireLock(lock, this.options.staleLockMs ?? 60_000)); wait = Math.min(wait * 2, 500)) {
      if (await this.reuse(name, finalDir)) return finalDir;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const heartbeat = setInterval(() => {
      const at = new Date();
      void utimes(lock, at, at).catch(() => undefined);
    }, HEARTBEAT_MS);
    try {
      // Another process may have published it between our check and taking the lock.
      if (await this.reuse(name, finalDir)) return finalDir;
      const started = now();
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
    } finally {
      clearInterval(heartbeat);
      await rm(lock, { force: true });
    }
    await this.prune(derivedDir, finalDir);
    return finalDir;
  }

  /** True (and the use recorded) when `finalDir` is published. */
  private async reuse(name: string, finalDir: string): Promise<boolean> {
    if (!(await isDirectory(finalDir))) return false;
    // The directory's mtime records its last use, for pruning; contents are never rewritten.
    const at = new Date((this.options.now ?? Date.now)());
    await utimes(finalDir, at, at).catch(() => undefined);
    this.options.onEvent?.({ name, outcome: 'reused', durationMs: 0 });
    return true;
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

/** Creates `lock` (O_EXCL) with our host and pid; removes a stale one first. False while another live builder holds it. */
async function acquireLock(lock: string, staleMs: number): Promise<boolean> {
  try {
    const handle = await open(lock, 'wx', 0o600);
    await handle.writeFile(JSON.stringify({ host: os.hostname(), pid: process.pid }));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (await lockIsStale(lock, staleMs)) await rm(lock, { force: true });
  return false;
}

async function lockIsStale(lock: string, staleMs: number): Promise<boolean> {
  const info = await stat(lock).catch(() => undefined);
  if (info === undefined) return false;
  if (Date.now() - info.mtimeMs > staleMs) return true;
  const holder = await readFile(lock, 'utf8').then((text) => JSON.parse(text) as { host?: string; pid?: number }).catch(() => undefined);
  if (holder?.host !== os.hostname() || typeof holder.pid !== 'number' || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function isDirectory(candidate: string): Promise<boolean> {
  const info = await stat(candidate).catch(() => undefined);
  return info?.isDirectory() ?? false;
}
