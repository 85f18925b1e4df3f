// The file manifest of a run (SPEC §8.4): `manifest-<flowId>-<runId>.json`, written after every data file is published,
// so its presence means the file set is complete. Never encrypted. Pure.

/** One published data file as the manifest lists it. */
export interface ManifestEntry {
  /** The folder inside the bucket, container or root, with a leading `/`. */
  readonly sinkPath: string;
  readonly name: string;
  /** Bytes as published (after compression and encryption). */
  readonly size: number;
}

/** The manifest document, field for field. */
export interface FileManifest {
  readonly flowRunId: string;
  /** The occurrence time (ad-hoc: the request time), ISO-8601 UTC to the second: `2025-01-07T10:00:00Z`. */
  readonly scheduledTime: string;
  readonly exportResults: readonly ManifestEntry[];
}

/** An epoch-ms time as `yyyy-MM-ddTHH:mm:ssZ` (milliseconds dropped, as in the SPEC's example). */
export function manifestTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** The manifest of a run. */
export function buildManifest(runId: string, scheduledAt: number, files: readonly ManifestEntry[]): FileManifest {
  return { flowRunId: runId, scheduledTime: manifestTime(scheduledAt), exportResults: files.map(({ sinkPath, name, size }) => ({ sinkPath, name, size })) };
}

/** The manifest's bytes: compact UTF-8 JSON, keys in SPEC order. */
export function serialiseManifest(manifest: FileManifest): Buffer {
  return Buffer.from(JSON.stringify(manifest), 'utf8');
}
