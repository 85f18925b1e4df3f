// What a connector contract run needs from one real server: a target to write to, targets that must fail, and an
// independent way (the server's own SDK, `sftp`, the filesystem — never the connector under test) to read files back.
import type { ConnectorTarget } from '../../src/connectors/connector.js';

/** A started server (or directory) the contract suite writes to; `stop` removes everything it made. */
export interface ConnectorEnvironment {
  /** Writes go here; the location (bucket, container, home folder, directory) exists. */
  readonly target: ConnectorTarget;
  /** Same server, wrong secret or unknown user: must fail with AUTH_FAILED (undefined when the transport has no auth). */
  readonly badCredentials?: ConnectorTarget;
  /** Same server, a bucket/container/root that does not exist: must fail with NOT_FOUND. */
  readonly missingLocation?: ConnectorTarget;
  /** The target on a loopback port nothing listens on: must fail with UNREACHABLE (transient). */
  readonly unreachable?: ConnectorTarget;
  /** The bytes of a file, read without the connector; undefined when no such (published) file exists. */
  readBack(folder: string, name: string): Promise<Buffer | undefined>;
  /** Every object/file name under the root (recursive, `/`-separated, temporary ones included), read without the connector. */
  listAll(): Promise<readonly string[]>;
  /**
   * Uploads started but neither committed nor aborted (S3 multipart uploads, Azure uncommitted blocks); transports
   * that write a temporary file return [] (their leftovers show in `listAll`). Azure Blob lists a published name whose
   * replacement was aborted until its next publish (see PendingUpload.abort).
   */
  pendingUploads(): Promise<readonly string[]>;
  stop(): Promise<void>;
}

/** One transport's entry in the contract suite: how to start its server, or why it cannot run on this machine. */
export interface ConnectorEnvironmentProvider {
  readonly name: string;
  /** undefined when the server can start here; otherwise the exact reason the suite is skipped. */
  unavailable(): string | undefined;
  start(): Promise<ConnectorEnvironment>;
}
