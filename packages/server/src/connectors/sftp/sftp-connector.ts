// The SFTP connector (SPEC §6.3, §8.4): one SSH connection per connector, opened lazily; password or private key; the
// host key checked against the pinned fingerprint; uploads published by renaming `.<name>.part` onto the final name.
// Folders are relative to the login's start directory (the user's home, or a chroot) and created as needed.
import type {
  CallOptions,
  Connector,
  ConnectorCapabilities,
  ConnectorSettings,
  FileLocation,
  ListedFile,
  PendingUpload,
  SftpTarget,
} from '../connector.js';
import { ConnectorError } from '../connector.js';
import { operationFailure, SFTP_STATUS } from './sftp-errors.js';
import { folderSegments, isTemporaryName, remoteFolder, uploadPaths } from './sftp-paths.js';
import { openSftpSession, sftpUrl, untilAborted, type SftpSession } from './sftp-session.js';
import { beginSftpUpload } from './sftp-upload.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

function hasCode(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

class SftpConnector implements Connector {
  readonly capabilities: ConnectorCapabilities = { supportsRename: true, supportsMultipart: false };
  private session: Promise<SftpSession> | undefined;
  private closed = false;

  constructor(
    private readonly target: SftpTarget,
    private readonly settings: ConnectorSettings,
  ) {}

  describe(folder: string): string {
    const segments = folder.split('/').filter((segment) => segment !== '' && segment !== '.');
    return `${sftpUrl(this.target)}${segments.map((segment) => `${segment}/`).join('')}`;
  }

  async checkConnection(options?: CallOptions): Promise<{ readonly hostKeyFingerprint?: string }> {
    const session = await this.connect(options);
    // Proves the SFTP subsystem answers requests, not only that the channel opened.
    await session.stat('.', options).catch((error: unknown) => {
      throw operationFailure(error, session.endpoint, 'reading', this.describe(''));
    });
    return { hostKeyFingerprint: session.hostKeyFingerprint };
  }

  async beginUpload(location: FileLocation, options?: CallOptions): Promise<PendingUpload> {
    const paths = uploadPaths(location, (folder) => this.describe(folder));
    const session = await this.connect(options);
    await this.makeFolders(session, paths.segments, options);
    const display = (name: string) => `${this.describe(location.folder)}${name}`;
    return beginSftpUpload({ session, paths, location, display, options });
  }

  async delete(location: FileLocation, options?: CallOptions): Promise<void> {
    const { final } = uploadPaths(location, (folder) => this.describe(folder));
    const session = await this.connect(options);
    try {
      await session.request<void>(`deleting ${final}`, (sftp, done) => sftp.unlink(final, (error) => done(error, undefined)), options);
    } catch (error) {
      if (hasCode(error, SFTP_STATUS.noSuchFile)) return;
      throw operationFailure(error, session.endpoint, 'deleting', `${this.describe(location.folder)}${location.name}`);
    }
  }

  async list(folder: string, options?: CallOptions): Promise<readonly ListedFile[]> {
    const path = remoteFolder(folderSegments(folder));
    const session = await this.connect(options);
    let entries;
    try {
      entries = await session.readdir(path, options);
    } catch (error) {
      if (hasCode(error, SFTP_STATUS.noSuchFile)) return [];
      throw operationFailure(error, session.endpoint, 'listing', this.describe(folder));
    }
    return entries
      .filter((entry) => ((entry.attrs.mode ?? 0) & S_IFMT) === S_IFREG)
      .map((entry) => ({
        name: entry.filename,
        size: entry.attrs.size,
        modifiedAt: entry.attrs.mtime * 1000,
        temporary: isTemporaryName(entry.filename),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    if (session !== undefined) await session.then((open) => open.end()).catch(() => undefined);
  }

  /** The open session, or a new one when none was opened yet or the last one dropped. */
  private async connect(options?: CallOptions): Promise<SftpSession> {
    if (this.closed) throw new Error('This SFTP connector is closed');
    const current = this.session;
    if (current !== undefined) {
      const open = await untilAborted(current.catch(() => undefined), options);
      if (open !== undefined && !open.lost) return open;
      if (this.session === current) this.session = undefined;
    }
    if (this.session === undefined) {
      // Shared by the connector's calls, so no single call's signal may end it (a cancelled caller just stops waiting).
      this.session = openSftpSession(this.target, this.settings.callTimeoutMs);
      // Whoever stops waiting, a failed attempt must not become an unhandled rejection.
      this.session.catch(() => undefined);
    }
    return untilAborted(this.session, options);
  }

  /** `mkdir -p`: one stat when the folder exists, else each missing level in turn. */
  private async makeFolders(session: SftpSession, segments: readonly string[], options?: CallOptions): Promise<void> {
    if (segments.length === 0) return;
    const isFolder = async (path: string): Promise<boolean | undefined> => {
      try {
        return ((await session.stat(path, options)).mode & S_IFMT) === S_IFDIR;
      } catch (error) {
        if (hasCode(error, SFTP_STATUS.noSuchFile)) return undefined;
        throw error;
      }
    };
    const display = (count: number) => this.describe(segments.slice(0, count).join('/'));
    for (let count = 1; count <= segments.length; count += 1) {
      const path = segments.slice(0, count).join('/');
      try {
        // Checking the whole folder first saves a round trip per level in the usual case: it exists.
        if (count === 1 && (await isFolder(remoteFolder(segments))) === true) return;
        const existing = await isFolder(path);
        if (existing === true) continue;
        if (existing === false) {
          throw new ConnectorError('NOT_FOUND', `${display(count).replace(/\/$/, '')} is a file, not a folder, so ${this.describe(segments.join('/'))} cannot be created. Choose another folder path.`);
        }
        await session
          .request<void>(`creating ${path}`, (sftp, done) => sftp.mkdir(path, (error) => done(error, undefined)), options)
          .catch(async (error: unknown) => {
            // Another upload may have created it meanwhile.
            if ((await isFolder(path).catch(() => undefined)) !== true) throw error;
          });
      } catch (error) {
        throw operationFailure(error, session.endpoint, 'creating the folder', display(count));
      }
    }
  }
}

/** Opens the SFTP connector of a target; nothing is connected until the first call. */
export function openSftpConnector(target: SftpTarget, settings: ConnectorSettings): Connector {
  return new SftpConnector(target, settings);
}
