// One SFTP upload: bytes stream into `<folder>/.<name>.part` with a bounded number of write requests in flight, then
// publish renames it onto the final name (posix-rename@openssh.com, which replaces atomically; servers without it get
// delete + rename) and abort removes it.
import type { SFTPWrapper, Stats } from 'ssh2';
import { ConnectorError, type CallOptions, type PendingUpload, type PublishedFile } from '../connector.js';
import { operationFailure, SFTP_STATUS } from './sftp-errors.js';
import type { UploadPaths } from './sftp-paths.js';
import type { SftpSession } from './sftp-session.js';

/** Bytes per SFTP WRITE request: OpenSSH's sftp client default (it accepts up to 256 KiB, older servers 32 KiB + header). */
const WRITE_SIZE = 32 * 1024;
/** Requests in flight; with {@link WRITE_SIZE} this bounds buffered upload data to 2 MiB per upload. */
const MAX_IN_FLIGHT = 64;

type State = 'open' | 'writing' | 'written' | 'failed' | 'published' | 'aborted';

/** What the upload needs from its connector. */
export interface SftpUploadContext {
  readonly session: SftpSession;
  readonly paths: UploadPaths;
  readonly location: { readonly folder: string; readonly name: string };
  /** `sftp://host:port/folder/` + the given name, for messages. */
  readonly display: (name: string) => string;
  readonly options: CallOptions | undefined;
}

/**
 * Creates the temporary file as a new file and returns the pending upload writing it. A leftover `.part` is unlinked
 * first, never truncated and reused: the server may still be writing into it for a client that died (its session
 * drains queued requests), and those late writes must land in the orphaned file, not in the one about to be published.
 */
export async function beginSftpUpload(context: SftpUploadContext): Promise<PendingUpload> {
  const { session, paths, display, options } = context;
  const unlinkLeftover = () =>
    session.request<void>(
      `removing ${paths.temporary}`,
      (sftp, done) => sftp.unlink(paths.temporary, (error) => done(error && (error as { code?: unknown }).code === SFTP_STATUS.noSuchFile ? undefined : error, undefined)),
      options,
    );
  const createExclusive = () => session.request<Buffer>(`creating ${paths.temporary}`, (sftp, done) => sftp.open(paths.temporary, 'wx', done), options);
  try {
    await unlinkLeftover();
    const handle = await createExclusive().catch(async (error: unknown) => {
      // Another upload of the same name created it in between: the latest upload wins, as with publish.
      if ((error as { code?: unknown }).code !== SFTP_STATUS.failure) throw error;
      await unlinkLeftover();
      return createExclusive();
    });
    return new SftpUpload(context, handle);
  } catch (error) {
    throw operationFailure(error, session.endpoint, 'creating', display(paths.temporary.split('/').at(-1) ?? ''));
  }
}

/**
 * Renames `from` onto `to`, replacing it: posix-rename@openssh.com (one atomic rename(2) on the server) when the server
 * offers it; otherwise plain SFTP rename, which refuses an existing target, after deleting the target — the final name
 * is then briefly absent, never partial.
 */
function renameOver(sftp: SFTPWrapper, from: string, to: string, done: (error: Error | null | undefined, value: undefined) => void): void {
  const deleteThenRename = () =>
    sftp.unlink(to, (error) => {
      if (error && (error as { code?: unknown }).code !== SFTP_STATUS.noSuchFile) return done(error, undefined);
      sftp.rename(from, to, (renameError) => done(renameError, undefined));
    });
  try {
    sftp.ext_openssh_rename(from, to, (error) => {
      if (error && (error as { code?: unknown }).code === SFTP_STATUS.opUnsupported) return deleteThenRename();
      done(error, undefined);
    });
  } catch {
    // ssh2 throws at once when the server's VERSION packet did not list the extension.
    deleteThenRename();
  }
}

/** An empty body: publishing without a write() makes an empty file. */
async function* nothing(): AsyncGenerator<Uint8Array> {}

class SftpUpload implements PendingUpload {
  private state: State = 'open';
  private handleOpen = true;
  private size = 0;

  constructor(
    private readonly context: SftpUploadContext,
    private readonly handle: Buffer,
  ) {}

  async write(body: AsyncIterable<Uint8Array>): Promise<void> {
    if (this.state !== 'open') throw new Error(`write() on an upload that is ${this.state}: it may be called once, before publish()`);
    this.state = 'writing';
    const { session, paths, display, options } = this.context;
    const inFlight = new Set<Promise<void>>();
    let failure: Error | undefined;
    const send = (piece: Buffer, position: number) => {
      const written = session
        .request<void>(`writing ${paths.temporary}`, (sftp, done) => sftp.write(this.handle, piece, 0, piece.length, position, (error) => done(error, undefined)), options)
        .catch((error: unknown) => {
          failure ??= error instanceof Error ? error : new Error(String(error));
        })
        .finally(() => inFlight.delete(written));
      inFlight.add(written);
    };
    try {
      for await (const chunk of body) {
        const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        for (let offset = 0; offset < bytes.length; offset += WRITE_SIZE) {
          while (inFlight.size >= MAX_IN_FLIGHT && failure === undefined) await Promise.race(inFlight);
          if (failure !== undefined) throw failure;
          const piece = bytes.subarray(offset, offset + WRITE_SIZE);
          send(piece, this.size);
          this.size += piece.length;
        }
      }
      await Promise.all(inFlight);
      if (failure !== undefined) throw failure;
      await this.flushToDisk();
      await this.closeHandle();
      this.state = 'written';
    } catch (error) {
      // Let requests already sent settle before abort() closes and removes the file under them.
      await Promise.allSettled(inFlight);
      this.state = 'failed';
      throw failure === error ? operationFailure(error, session.endpoint, 'writing', display(this.context.location.name)) : error;
    }
  }

  async publish(): Promise<PublishedFile> {
    if (this.state === 'open') await this.write(nothing());
    if (this.state !== 'written') throw new Error(`publish() on an upload that is ${this.state}`);
    const { session, paths, display, options } = this.context;
    const target = display(this.context.location.name);
    try {
      if (!(await this.ownsTemporary(options))) {
        throw new ConnectorError(
          'SERVER_ERROR',
          `Another upload of ${target} replaced this one's temporary file before it was published; nothing was published. Try again once the other upload has finished.`,
        );
      }
      await session.request<void>(`renaming ${paths.temporary}`, (sftp, done) => renameOver(sftp, paths.temporary, paths.final, done), options);
    } catch (error) {
      throw operationFailure(error, session.endpoint, 'publishing', target);
    }
    this.state = 'published';
    return { folder: this.context.location.folder, name: this.context.location.name, size: this.size };
  }

  async abort(): Promise<void> {
    if (this.state === 'published' || this.state === 'aborted') return;
    this.state = 'aborted';
    const { session, paths } = this.context;
    const owned = !session.lost && (await this.ownsTemporary(undefined).catch(() => false));
    await this.closeHandle().catch(() => undefined);
    if (!owned || session.lost) return;
    await session
      .request<void>(`removing ${paths.temporary}`, (sftp, done) => sftp.unlink(paths.temporary, (error) => done(error, undefined)))
      .catch(() => undefined);
  }

  /**
   * Whether the `.part` on the server is still this upload's file. SFTP cannot rename or unlink by handle: when another
   * upload of the same name started meanwhile, the path is its file (ours was unlinked), and publishing or removing it
   * would publish or destroy someone else's bytes. Compared by size and modification time with our open handle, or
   * with the bytes written once the handle is closed: different files differ in all but freak cases.
   */
  private async ownsTemporary(options: CallOptions | undefined): Promise<boolean> {
    const { session, paths } = this.context;
    let onServer: Stats;
    try {
      onServer = await session.stat(paths.temporary, options);
    } catch (error) {
      if ((error as { code?: unknown }).code === SFTP_STATUS.noSuchFile) return false;
      throw error;
    }
    if (!this.handleOpen) return onServer.size === this.size;
    const mine = await session.request<Stats>(`reading ${paths.temporary}`, (sftp, done) => sftp.fstat(this.handle, done), options);
    return mine.size === onServer.size && mine.mtime === onServer.mtime;
  }

  /**
   * fsync@openssh.com before the rename, when offered: a server that crashes right after publish then shows the whole
   * file or the previous one, never an empty or short file under the final name (as the landing zone does with fsync).
   */
  private async flushToDisk(): Promise<void> {
    const { session, paths, display, options } = this.context;
    await session
      .request<void>(
        `flushing ${paths.temporary}`,
        (sftp, done) => {
          try {
            sftp.ext_openssh_fsync(this.handle, (error) => done(error, undefined));
          } catch {
            // ssh2 throws at once when the server does not offer the extension: nothing to flush with.
            done(undefined, undefined);
          }
        },
        options,
      )
      .catch((error: unknown) => {
        throw operationFailure(error, session.endpoint, 'writing', display(this.context.location.name));
      });
  }

  private async closeHandle(): Promise<void> {
    if (!this.handleOpen) return;
    this.handleOpen = false;
    const { session, paths, display, options } = this.context;
    await session
      .request<void>(`closing ${paths.temporary}`, (sftp, done) => sftp.close(this.handle, (error) => done(error, undefined)), options)
      .catch((error: unknown) => {
        throw operationFailure(error, session.endpoint, 'writing', display(this.context.location.name));
      });
  }
}
