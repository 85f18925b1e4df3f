// One SSH connection with its SFTP channel (ssh2-sftp-client opens it), the host key checked against the pin, and the
// SFTP requests the connector needs as promises with a per-call deadline. Requests go to ssh2's SFTP channel directly:
// its errors keep the SFTP status code, which the client library's wrappers fold into message text.
import SftpClient from 'ssh2-sftp-client';
import type { FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2';
import { ConnectorError, type CallOptions, type SftpTarget } from '../connector.js';
import { connectionFailure, disconnected, timedOut, type SftpEndpoint } from './sftp-errors.js';
import { fingerprintMatches, isSha256Fingerprint, sshFingerprint } from './ssh-host-key.js';
import { toSsh2PrivateKey, ACCEPTED_SSH_KEY_FORMATS, UnusableSshKeyError } from './ssh-private-key.js';

/** How long a closing connection may wait for the server's goodbye before its socket is destroyed. */
const END_GRACE_MS = 2_000;

/** An open SFTP session; `lost` once the connection closed under it (the connector then opens a new one). */
export interface SftpSession {
  readonly endpoint: SftpEndpoint;
  readonly hostKeyFingerprint: string;
  readonly lost: boolean;
  /** One SFTP request with the call deadline; failures are raw ssh2 errors (SFTP status in `code`) or ConnectorErrors. */
  request<T>(action: string, send: (sftp: SFTPWrapper, done: (error: Error | null | undefined, value: T) => void) => void, options?: CallOptions): Promise<T>;
  stat(path: string, options?: CallOptions): Promise<Stats>;
  readdir(path: string, options?: CallOptions): Promise<FileEntryWithStats[]>;
  /** Closes the connection; idempotent, never throws. */
  end(): Promise<void>;
}

/** `sftp://host:port/` with IPv6 literals bracketed. */
export function sftpUrl(target: Pick<SftpTarget, 'host' | 'port'>): string {
  const host = target.host.includes(':') && !target.host.startsWith('[') ? `[${target.host}]` : target.host;
  return `sftp://${host}:${target.port}/`;
}

function credentials(target: SftpTarget, url: string): { password: string } | { privateKey: string } {
  if (target.auth.type === 'password') return { password: target.auth.password };
  try {
    return { privateKey: toSsh2PrivateKey(target.auth.privateKey) };
  } catch (error) {
    if (!(error instanceof UnusableSshKeyError)) throw error;
    throw new ConnectorError('INVALID_CONFIGURATION', `The SSH key for ${url} cannot be used: ${error.message}. Accepted: ${ACCEPTED_SSH_KEY_FORMATS}.`);
  }
}

/** Rejects when the deadline passes or the signal aborts; `onTimeout` runs first (the session is then torn down). */
export function withDeadline<T>(
  promise: Promise<T>,
  timeoutMs: number,
  timeoutError: () => Error,
  options: CallOptions | undefined,
  onTimeout: () => void,
): Promise<T> {
  const signal = options?.signal;
  if (signal?.aborted) {
    // The call was already sent: let it settle unobserved, and tear the session down like a timeout does.
    promise.catch(() => undefined);
    onTimeout();
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      cleanup();
      onTimeout();
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      cleanup();
      onTimeout();
      reject(timeoutError());
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** `promise`, or the signal's reason as soon as it aborts (the promise itself carries on). */
export function untilAborted<T>(promise: Promise<T>, options: CallOptions | undefined): Promise<T> {
  const signal = options?.signal;
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Connects, checks the host key against `target.hostKeyFingerprint` (mismatch → HOST_KEY_MISMATCH before any
 * authentication is sent) and authenticates. Failures are ConnectorErrors.
 */
export async function openSftpSession(target: SftpTarget, timeoutMs: number, options?: CallOptions): Promise<SftpSession> {
  const endpoint: SftpEndpoint = { url: sftpUrl(target), host: target.host, username: target.username };
  const auth = credentials(target, endpoint.url);
  // A blank pin (an empty form field) means "not pinned"; anything else must be a fingerprint we can compare.
  const pin = target.hostKeyFingerprint?.trim() || undefined;
  if (pin !== undefined && !isSha256Fingerprint(pin)) {
    throw new ConnectorError(
      'INVALID_CONFIGURATION',
      `The host key fingerprint ${JSON.stringify(pin)} for ${endpoint.url} is not a SHA-256 fingerprint. Use the "SHA256:…" value that ssh-keygen -lf prints for the server's host key.`,
    );
  }
  let lost = false;
  let presented: string | undefined;
  let rawError: unknown;
  const client = new SftpClient('activator', {
    // The library's defaults print to the console; a drop is seen by the next request (it fails, the session is lost).
    error: () => (lost = true),
    end: () => (lost = true),
    close: () => (lost = true),
  });
  client.on('error', (error: unknown) => (rawError ??= error));
  // The library's end() only acts on a connection whose SFTP channel is open and then waits for the server to close;
  // ssh2's own client is destroyed afterwards so that a half-open handshake or a hung server cannot keep the socket.
  const ssh = (client as unknown as { client: { destroy(): void } }).client;
  const end = async () => {
    lost = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([client.end().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, END_GRACE_MS)))]);
    clearTimeout(timer);
    ssh.destroy();
  };
  const mismatch = () => presented !== undefined && pin !== undefined && !fingerprintMatches(pin, presented);
  let sftp: SFTPWrapper;
  try {
    sftp = await withDeadline(
      client.connect({
        host: target.host,
        port: target.port,
        username: target.username,
        ...auth,
        readyTimeout: timeoutMs,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
        hostVerifier: (key: Buffer) => {
          presented = sshFingerprint(key);
          return !mismatch();
        },
      }),
      // ssh2's readyTimeout fires first for a silent server; this covers a stall after the handshake.
      timeoutMs + 1_000,
      () => timedOut(endpoint, 'connecting', timeoutMs),
      options,
      () => void end(),
    );
  } catch (error) {
    await end();
    if (mismatch()) {
      const expected = pin ?? '';
      const actual = presented ?? '';
      throw new ConnectorError(
        'HOST_KEY_MISMATCH',
        `SFTP host key mismatch: expected ${expected}, got ${actual} at ${endpoint.url}. If the server's key was changed on purpose, update the pinned fingerprint; otherwise do not connect (the connection may be intercepted).`,
        { cause: error, hostKeyFingerprint: { expected, actual } },
      );
    }
    if (options?.signal?.aborted) throw error;
    throw connectionFailure(rawError ?? error, endpoint, timeoutMs);
  }
  const hostKeyFingerprint = presented ?? '';
  const request = <T>(
    action: string,
    send: (channel: SFTPWrapper, done: (error: Error | null | undefined, value: T) => void) => void,
    callOptions?: CallOptions,
  ): Promise<T> => {
    if (lost) return Promise.reject(disconnected(endpoint));
    const pending = new Promise<T>((resolve, reject) => {
      try {
        send(sftp, (error, value) => (error ? reject(error) : resolve(value)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    return withDeadline(pending, timeoutMs, () => timedOut(endpoint, action, timeoutMs), callOptions, () => void end());
  };
  return {
    endpoint,
    hostKeyFingerprint,
    get lost() {
      return lost;
    },
    request,
    stat: (path, callOptions) => request<Stats>(`reading ${path}`, (channel, done) => channel.stat(path, done), callOptions),
    readdir: (path, callOptions) =>
      request<FileEntryWithStats[]>(`listing ${path}`, (channel, done) => channel.readdir(path, done), callOptions),
    end,
  };
}
