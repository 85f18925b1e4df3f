// The Data Landing Zone connector: a directory of this host (`<dataDir>/dlz/<sandboxName>`, SPEC §6.5). A file is
// written to `.<name>.part`, fsynced, then renamed (SPEC §8.4), so a reader never sees a partial file under its name.
import { createHash } from 'node:crypto';
import { type FileHandle, access, constants, lstat, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  ConnectorError,
  type CallOptions,
  type Connector,
  type ConnectorErrorCode,
  type ConnectorSettings,
  type FileLocation,
  type LandingZoneTarget,
  type ListedFile,
  type PendingUpload,
  type PublishedFile,
} from '../connector.js';
import { checkFileLocation, checkFolder } from '../location-check.js';

/** Folders and files are owner-only, like the rest of the data directory (SPEC §13.5). */
const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;

/** The temporary name of an upload: `.<name>.part`, or a digest of the name when that would exceed 255 bytes. */
export function temporaryNameOf(name: string): string {
  const plain = `.${name}.part`;
  if (Buffer.byteLength(plain) <= 255) return plain;
  return `.${createHash('sha256').update(name).digest('hex').slice(0, 40)}.part`;
}

const isTemporaryName = (name: string) => name.startsWith('.') && name.endsWith('.part');

/** What a filesystem error code means for the user; `undefined` → SERVER_ERROR. */
const FS_ERROR_CODES: Readonly<Record<string, ConnectorErrorCode>> = {
  EACCES: 'PERMISSION_DENIED',
  EPERM: 'PERMISSION_DENIED',
  EROFS: 'PERMISSION_DENIED',
  ENOENT: 'NOT_FOUND',
  ENOTDIR: 'INVALID_CONFIGURATION',
  EEXIST: 'INVALID_CONFIGURATION',
  EISDIR: 'INVALID_CONFIGURATION',
  ENAMETOOLONG: 'INVALID_CONFIGURATION',
};

const HINTS: Readonly<Record<ConnectorErrorCode, string>> = {
  PERMISSION_DENIED: 'The Activator process needs write access to the data directory.',
  NOT_FOUND: 'The folder disappeared while writing; run the export again.',
  INVALID_CONFIGURATION: 'A file stands where a folder is expected, or a name is too long; change the folder path.',
  SERVER_ERROR: 'Check free disk space and the data directory.',
  AUTH_FAILED: '',
  UNREACHABLE: '',
  TIMEOUT: '',
  HOST_KEY_MISMATCH: '',
};

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** A ConnectorError for a filesystem failure while doing `what` at `where` (a display form, never an absolute host path). */
function fsFailure(error: unknown, what: string, where: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const errno = isErrnoException(error) ? error.code : undefined;
  const code = (errno === undefined ? undefined : FS_ERROR_CODES[errno]) ?? 'SERVER_ERROR';
  return new ConnectorError(code, `Cannot ${what} ${where} (${errno ?? 'error'}). ${HINTS[code]}`, { cause: error });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new ConnectorError('TIMEOUT', 'The landing zone call was interrupted.', { cause: signal.reason });
}

/** Writes all of `chunk` (a file handle may write fewer bytes than asked). */
async function writeFully(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

class LandingZoneUpload implements PendingUpload {
  /** Open from write until publish or abort, so the temporary file's inode cannot be reused meanwhile. */
  private handle: FileHandle | undefined;
  /** The temporary file's inode: publish renames only the file this upload wrote. */
  private inode: { readonly dev: number; readonly ino: number } | undefined;
  private written = false;
  private complete = false;
  private settled = false;

  constructor(
    private readonly connector: LandingZoneConnector,
    private readonly location: FileLocation,
    private readonly folderPath: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  private get temporaryPath() {
    return path.join(this.folderPath, temporaryNameOf(this.location.name));
  }

  private get where() {
    return this.connector.describe(this.location.folder) + this.location.name;
  }

  async write(body: AsyncIterable<Uint8Array>): Promise<void> {
    if (this.written || this.settled) throw new Error('PendingUpload.write may be called once, before publish or abort.');
    this.written = true;
    try {
      // A fresh inode, never a truncated one: a writer killed or stalled on a previous attempt may still hold the
      // old temporary file open, and must not write into the file this upload is about to publish.
      await unlink(this.temporaryPath).catch(() => undefined);
      this.handle = await open(this.temporaryPath, 'wx', FILE_MODE).catch(async (error: unknown) => {
        // The hourly sweep removes empty folders: one created by beginUpload may be gone already. Create it again.
        if (!isErrnoException(error) || error.code !== 'ENOENT') throw error;
        await mkdir(this.folderPath, { recursive: true, mode: FOLDER_MODE });
        return open(this.temporaryPath, 'wx', FILE_MODE);
      });
      const { dev, ino } = await this.handle.stat();
      this.inode = { dev, ino };
    } catch (error) {
      throw fsFailure(error, 'write', this.where);
    }
    // Errors of the body (the caller's stream) propagate unchanged; only our own writes become ConnectorErrors.
    for await (const chunk of body) {
      throwIfAborted(this.signal);
      try {
        await writeFully(this.handle, chunk);
      } catch (error) {
        throw fsFailure(error, 'write', this.where);
      }
    }
    try {
      await this.handle.sync();
    } catch (error) {
      throw fsFailure(error, 'write', this.where);
    }
    this.complete = true;
  }

  async publish(): Promise<PublishedFile> {
    if (!this.complete || this.settled) throw new Error('PendingUpload.publish needs a completed write.');
    throwIfAborted(this.signal);
    this.settled = true;
    const finalPath = path.join(this.folderPath, this.location.name);
    try {
      // Two uploads of one name at once (two dataflows with a static file name) share the temporary name; the later
      // one replaces the earlier one's file. Renaming only our own inode keeps a half-written file from being published.
      const current = await lstat(this.temporaryPath);
      if (current.dev !== this.inode?.dev || current.ino !== this.inode.ino) {
        throw new ConnectorError('SERVER_ERROR', `Another upload of ${this.where} started while this one was writing; run the export again.`);
      }
      await rename(this.temporaryPath, finalPath);
      await syncDirectory(this.folderPath);
      const { size } = await stat(finalPath);
      return { folder: this.location.folder, name: this.location.name, size };
    } catch (error) {
      if (!(error instanceof ConnectorError)) await unlink(this.temporaryPath).catch(() => undefined);
      throw fsFailure(error, 'publish', this.where);
    } finally {
      await this.handle?.close().catch(() => undefined);
      this.handle = undefined;
    }
  }

  async abort(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    // Only our own temporary file (checked while the handle still pins its inode): another upload may have replaced it.
    const current = await lstat(this.temporaryPath).catch(() => undefined);
    if (current !== undefined && current.dev === this.inode?.dev && current.ino === this.inode.ino) await unlink(this.temporaryPath).catch(() => undefined);
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }
}

/** Makes a rename durable: the directory entry is flushed too. */
async function syncDirectory(folderPath: string): Promise<void> {
  const handle = await open(folderPath, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

class LandingZoneConnector implements Connector {
  readonly capabilities = { supportsRename: true, supportsMultipart: false } as const;

  constructor(private readonly root: string) {}

  describe(folder: string): string {
    return `dlz:///${folder === '' ? '' : `${folder}/`}`;
  }

  private folderPath(folder: string): string {
    return folder === '' ? this.root : path.join(this.root, ...folder.split('/'));
  }

  async checkConnection(options?: CallOptions): Promise<{ readonly hostKeyFingerprint?: string }> {
    throwIfAborted(options?.signal);
    try {
      // The root belongs to Activator: it is created on first use (SPEC §13.5), so a missing one is not an error.
      await mkdir(this.root, { recursive: true, mode: FOLDER_MODE });
      await access(this.root, constants.W_OK | constants.X_OK);
    } catch (error) {
      throw fsFailure(error, 'open', this.describe(''));
    }
    return {};
  }

  async beginUpload(location: FileLocation, options?: CallOptions): Promise<PendingUpload> {
    checkFileLocation(location, (folder) => this.describe(folder));
    throwIfAborted(options?.signal);
    const folderPath = this.folderPath(location.folder);
    try {
      await mkdir(folderPath, { recursive: true, mode: FOLDER_MODE });
    } catch (error) {
      throw fsFailure(error, 'create the folder', this.describe(location.folder));
    }
    return new LandingZoneUpload(this, location, folderPath, options?.signal);
  }

  async delete(location: FileLocation, options?: CallOptions): Promise<void> {
    checkFileLocation(location, (folder) => this.describe(folder));
    throwIfAborted(options?.signal);
    try {
      await unlink(path.join(this.folderPath(location.folder), location.name));
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') return;
      throw fsFailure(error, 'delete', this.describe(location.folder) + location.name);
    }
  }

  async list(folder: string, options?: CallOptions): Promise<readonly ListedFile[]> {
    checkFolder(folder);
    throwIfAborted(options?.signal);
    const folderPath = this.folderPath(folder);
    try {
      const entries = await readdir(folderPath, { withFileTypes: true });
      const files: ListedFile[] = [];
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        // A file may vanish between readdir and stat (an upload published, the TTL sweep): skip it.
        const stats = await stat(path.join(folderPath, entry.name)).catch(() => undefined);
        if (stats === undefined) continue;
        files.push({ name: entry.name, size: stats.size, modifiedAt: stats.mtimeMs, temporary: isTemporaryName(entry.name) });
      }
      return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return [];
      throw fsFailure(error, 'list', this.describe(folder));
    }
  }

  async close(): Promise<void> {}
}

/**
 * The landing zone of a sandbox: `<dataDir>/dlz/<sandboxName>` (SPEC §13.5). Sandbox names are checked when created;
 * this re-checks that the name is one plain folder name, so it can never point elsewhere.
 */
export function landingZoneTargetOf(dataDir: string, sandboxName: string): LandingZoneTarget {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(sandboxName)) {
    throw new ConnectorError('INVALID_CONFIGURATION', `The sandbox name ${JSON.stringify(sandboxName)} cannot name a landing zone folder.`);
  }
  return { kind: 'landing-zone', root: path.join(path.resolve(dataDir), 'dlz', sandboxName) };
}

/** Opens the landing zone rooted at `target.root` (an absolute directory; created on first write). */
export function openLandingZoneConnector(target: LandingZoneTarget, _settings: ConnectorSettings): Connector {
  if (!path.isAbsolute(target.root)) {
    throw new ConnectorError('INVALID_CONFIGURATION', 'The landing zone root must be an absolute directory (the data directory is resolved at start).');
  }
  return new LandingZoneConnector(path.resolve(target.root));
}
