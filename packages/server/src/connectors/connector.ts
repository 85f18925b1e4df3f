// The destination connector port: where exported files go (SPEC §6–8), written so that a file appears whole or not at all.
//
// One implementation per transport (landing-zone/, sftp/, s3/, azure-blob/); differences are capability flags, never
// `if (kind === …)` in callers. The domain and the export pipeline import only this file.
//
// Names are data: `folder` is a relative folder the caller has already resolved and sanitised (SPEC §6.5), `name` a
// plain file name. Implementations re-check both (no `..` segment, no leading `/`, no `/` or `\` in a name, no control
// character) and refuse anything else with INVALID_CONFIGURATION: a user-supplied name can never address a file
// outside the destination's root.
//
// Example (what the export pipeline does for each file):
//   const upload = await connector.beginUpload({ folder: 'crm/Flash sale VIP', name: 'Amazon_S3_db89….csv.gz' });
//   try { await upload.write(fileStream); return await upload.publish(); } catch (e) { await upload.abort(); throw e; }

/** What differs between transports (CONVENTIONS §2). */
export interface ConnectorCapabilities {
  /** Publishing is a rename of a temporary file visible under another name (`.<name>.part`): SFTP, landing zone. */
  readonly supportsRename: boolean;
  /** Publishing commits parts or blocks that are invisible until then (S3 multipart, Azure block list). */
  readonly supportsMultipart: boolean;
}

/**
 * Why a destination call failed (SPEC §6.7 codes, plus SERVER_ERROR). `transient` failures (network resets,
 * timeouts, HTTP 5xx/429, SFTP disconnects) may succeed when retried; the others need the user to fix something.
 */
export type ConnectorErrorCode =
  | 'AUTH_FAILED'
  | 'NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'HOST_KEY_MISMATCH'
  | 'INVALID_CONFIGURATION'
  | 'SERVER_ERROR';

/** Whether a code is worth retrying (SPEC §9.5): the run layer retries only these. */
export const TRANSIENT_CONNECTOR_ERRORS: ReadonlySet<ConnectorErrorCode> = new Set(['UNREACHABLE', 'TIMEOUT', 'SERVER_ERROR']);

/**
 * The one error a connector throws. `message` names the location and the likely fix and never contains a secret
 * (SPEC §6.7); `cause` keeps the library's error for the log.
 */
export class ConnectorError extends Error {
  readonly transient: boolean;
  /** Set with HOST_KEY_MISMATCH: the pinned and the presented fingerprints (`SHA256:<base64>`). */
  readonly hostKey: { readonly expected: string; readonly actual: string } | undefined;

  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    options?: { readonly cause?: unknown; readonly hostKeyFingerprint?: { readonly expected: string; readonly actual: string } },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectorError';
    this.transient = TRANSIENT_CONNECTOR_ERRORS.has(code);
    this.hostKey = options?.hostKeyFingerprint;
  }
}

/** A file's place at the destination: a relative folder (`''` = the root) and a plain file name. */
export interface FileLocation {
  readonly folder: string;
  readonly name: string;
}

/** A file as listed at the destination. */
export interface ListedFile {
  readonly name: string;
  readonly size: number;
  /** Epoch ms. */
  readonly modifiedAt: number;
  /** True for an upload's temporary object (e.g. `.<name>.part`) — never a published file. */
  readonly temporary: boolean;
}

/** A published file. */
export interface PublishedFile extends FileLocation {
  readonly size: number;
}

/**
 * One file being written: bytes go to a temporary name or to uncommitted parts; only {@link publish} makes it
 * visible under its final name (replacing a previous file of that name). Call exactly one of publish/abort.
 */
export interface PendingUpload {
  /** Streams the whole content; may be called once. Memory stays bounded by the transport's part size. */
  write(body: AsyncIterable<Uint8Array>): Promise<void>;
  /** Makes the file visible under its final name, atomically. */
  publish(): Promise<PublishedFile>;
  /**
   * Removes the temporary file or aborts the uncommitted parts; never throws (best effort, logged by the caller).
   * Azure Blob: when a published file of that name exists, its uncommitted blocks cannot be dropped without rewriting
   * that file; they stay invisible until the next publish of that name or Azure's 7-day collection.
   */
  abort(): Promise<void>;
}

/** Options of every call. */
export interface CallOptions {
  /** Aborting interrupts the call (the run is cancelled or the process stops); the promise then rejects. */
  readonly signal?: AbortSignal;
}

/** A destination, opened for one unit of work (a run or a connection test); {@link close} releases it. */
export interface Connector {
  readonly capabilities: ConnectorCapabilities;
  /** A display form of a folder, for messages and the test endpoint: `s3://bucket/path/`, `sftp://host:22/path/`. */
  describe(folder: string): string;
  /**
   * Connects and authenticates (DNS, TCP, TLS/SSH, credentials) without writing; for SFTP also checks the pinned
   * host key. Returns what the test endpoint reports.
   */
  checkConnection(options?: CallOptions): Promise<{ readonly hostKeyFingerprint?: string }>;
  /** Starts writing `location`; folders are created as needed. */
  beginUpload(location: FileLocation, options?: CallOptions): Promise<PendingUpload>;
  /** Deletes a published file; a missing file is not an error. */
  delete(location: FileLocation, options?: CallOptions): Promise<void>;
  /** Files directly in `folder` (not recursive), temporary ones flagged; a missing folder lists as empty. */
  list(folder: string, options?: CallOptions): Promise<readonly ListedFile[]>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}

/** Credentials and location of an S3-API store (Amazon S3, S3-compatible stores, GCS through its interop API). */
export interface S3Target {
  readonly kind: 's3';
  /** Which service speaks: changes defaults and messages only (GCS: HMAC keys, `https://storage.googleapis.com`). */
  readonly flavour: 'aws' | 'gcs';
  readonly bucket: string;
  readonly region: string;
  /** Set for S3-compatible stores and GCS. */
  readonly endpoint?: string;
  readonly forcePathStyle: boolean;
  readonly credentials:
    | { readonly type: 'keys'; readonly accessKeyId: string; readonly secretAccessKey: string }
    | { readonly type: 'role'; readonly roleArn: string; readonly externalId?: string };
}

export interface SftpTarget {
  readonly kind: 'sftp';
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly auth: { readonly type: 'password'; readonly password: string } | { readonly type: 'key'; readonly privateKey: string };
  /** `SHA256:<base64>` as `ssh-keygen -lf` prints it; undefined = any key accepted (and reported). */
  readonly hostKeyFingerprint?: string;
}

export interface AzureBlobTarget {
  readonly kind: 'azure-blob';
  readonly connectionString: string;
  readonly container: string;
}

/** The Data Landing Zone: a directory of this host (`<dataDir>/dlz/<sandboxName>`). */
export interface LandingZoneTarget {
  readonly kind: 'landing-zone';
  readonly root: string;
}

/** Everything a connector needs, with secrets decrypted; the domain builds it from a base and a target connection. */
export type ConnectorTarget = S3Target | SftpTarget | AzureBlobTarget | LandingZoneTarget;

/** Settings every connector gets from the config. */
export interface ConnectorSettings {
  /** Per destination call (`ACTIVATOR_DESTINATION_TIMEOUT_SECONDS`), ms. */
  readonly callTimeoutMs: number;
}

/** Opens connectors; the composition root provides one that knows every transport. */
export interface ConnectorFactory {
  open(target: ConnectorTarget): Connector;
}
