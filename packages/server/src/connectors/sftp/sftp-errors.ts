// What SSH and SFTP failures mean for the user: ssh2's connection errors and SFTP status codes → ConnectorError codes
// (SPEC §6.7), with messages that name the location and the likely fix and never a password or key.
import { ConnectorError } from '../connector.js';

/** SFTP status codes (draft-ietf-secsh-filexfer-02 §7) that ssh2 puts in `error.code` of a failed request. */
export const SFTP_STATUS = { noSuchFile: 2, permissionDenied: 3, failure: 4, noConnection: 6, connectionLost: 7, opUnsupported: 8 } as const;

/** ssh2 rejects pending requests with this message when the channel or connection closes under them. */
const CHANNEL_CLOSED = /No response from server|Unexpected (?:end|close)|not connected|No SFTP connection/i;
const SOCKET_UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

interface SshError {
  readonly message: string;
  readonly code?: unknown;
  readonly level?: unknown;
}

function asSshError(error: unknown): SshError {
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
    ? (error as SshError)
    : { message: String(error) };
}

/** A duration for messages: `20 s`, `300 ms`. */
function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** Where a connection goes, for messages. */
export interface SftpEndpoint {
  /** `sftp://host:port/` */
  readonly url: string;
  readonly host: string;
  readonly username: string;
}

/** A failed connection attempt (TCP, SSH handshake, authentication, opening the SFTP subsystem). */
export function connectionFailure(error: unknown, endpoint: SftpEndpoint, timeoutMs: number): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const { message, code, level } = asSshError(error);
  const fail = (connectorCode: ConstructorParameters<typeof ConnectorError>[0], text: string) =>
    new ConnectorError(connectorCode, text, { cause: error });
  if (level === 'client-authentication' || /authentication methods failed/i.test(message)) {
    return fail(
      'AUTH_FAILED',
      `Authentication failed for user "${endpoint.username}" at ${endpoint.url}. Check the username and the password or SSH key (the key's public half must be in the user's authorized_keys on the server).`,
    );
  }
  if (level === 'client-timeout' || /timed out/i.test(message)) {
    return fail(
      'TIMEOUT',
      `${endpoint.url} did not complete the SSH handshake within ${seconds(timeoutMs)}. Check the host and port, and that a firewall lets this server reach it.`,
    );
  }
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail('UNREACHABLE', `The host name "${endpoint.host}" of ${endpoint.url} could not be resolved (DNS). Check the host name.`);
    case 'ECONNREFUSED':
      return fail('UNREACHABLE', `Connection refused by ${endpoint.url}. Check the host and port, and that the SFTP server is running.`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return fail('UNREACHABLE', `${endpoint.url} is unreachable from this server (no route to host). Check the host and the network or firewall.`);
    default:
  }
  if ((typeof code === 'string' && SOCKET_UNREACHABLE.has(code)) || CHANNEL_CLOSED.test(message) || level === 'client-socket') {
    return disconnected(endpoint, error);
  }
  if (/subsystem/i.test(message)) {
    return fail(
      'INVALID_CONFIGURATION',
      `${endpoint.url} accepted the login of "${endpoint.username}" but refused the SFTP subsystem. Check that the account may use SFTP.`,
    );
  }
  // E.g. "Connection lost before handshake": a port that does not speak SSH, or a server shedding load (MaxStartups).
  return fail(
    'UNREACHABLE',
    `The SSH connection to ${endpoint.url} failed (${message.replace(/^[\w:]*: /, '')}). Check that the host and port are those of an SFTP server; if they are, try again later.`,
  );
}

/** The connection dropped (reset, closed by the server): transient. */
export function disconnected(endpoint: SftpEndpoint, cause?: unknown): ConnectorError {
  return new ConnectorError(
    'UNREACHABLE',
    `The connection to ${endpoint.url} was closed or reset. Try again; if it persists, check the server's connection limits and logs.`,
    cause === undefined ? undefined : { cause },
  );
}

/** A call that got no answer in time: transient. */
export function timedOut(endpoint: SftpEndpoint, action: string, timeoutMs: number): ConnectorError {
  return new ConnectorError(
    'TIMEOUT',
    `${endpoint.url} did not answer within ${seconds(timeoutMs)} while ${action}. Try again; if it persists, check the server's load and the network.`,
  );
}

/**
 * A failed SFTP request. `action` says what was attempted ("writing", "creating the folder"), `location` the
 * `sftp://…` path it was about.
 */
export function operationFailure(error: unknown, endpoint: SftpEndpoint, action: string, location: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const { message, code } = asSshError(error);
  const fail = (connectorCode: ConstructorParameters<typeof ConnectorError>[0], text: string) =>
    new ConnectorError(connectorCode, text, { cause: error });
  switch (code) {
    case SFTP_STATUS.permissionDenied:
      return fail('PERMISSION_DENIED', `Permission denied ${action} ${location}. The user "${endpoint.username}" needs write access to this folder on the server.`);
    case SFTP_STATUS.noSuchFile:
      return fail('NOT_FOUND', `${location} does not exist and could not be created (${action}). Check the folder path: each part of it must be a folder the user can create or enter.`);
    case SFTP_STATUS.noConnection:
    case SFTP_STATUS.connectionLost:
      return disconnected(endpoint, error);
    case SFTP_STATUS.opUnsupported:
      return fail('SERVER_ERROR', `${endpoint.url} does not support an operation needed for ${action} ${location}.`);
    default:
  }
  if (CHANNEL_CLOSED.test(message) || (typeof code === 'string' && SOCKET_UNREACHABLE.has(code))) return disconnected(endpoint, error);
  return fail('SERVER_ERROR', `The SFTP server at ${endpoint.url} failed ${action} ${location} (${message}). Check the server's disk space and logs.`);
}
