// Turns what the Azure Blob SDK throws (RestError with a service error code, network errors, aborts) into the one
// ConnectorError of the port, with a message that names the location and the fix and never carries a secret.
import { ConnectorError, type ConnectorErrorCode } from '../connector.js';

/** What was being done when the call failed, for the message: `writing https://…/container/folder/name`. */
export interface AzureCallContext {
  readonly action: string;
  readonly location: string;
  /** True when our per-call timeout (not the caller's signal) aborted the request. */
  readonly timedOut: boolean;
}

/** The fields of a thrown SDK error we rely on (RestError and Node's system errors are both structural matches). */
interface ErrorFields {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly statusCode?: unknown;
}

const AUTHENTICATION_CODES = new Set(['AuthenticationFailed', 'InvalidAuthenticationInfo', 'NoAuthenticationInformation']);
const PERMISSION_CODES = new Set([
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationServiceMismatch',
  'AuthorizationProtocolMismatch',
  'AuthorizationSourceIPMismatch',
  'InsufficientAccountPermissions',
  'AccountIsDisabled',
  'KeyBasedAuthenticationNotPermitted',
]);
const NOT_FOUND_CODES = new Set(['ContainerNotFound', 'ContainerBeingDeleted', 'ResourceNotFound', 'AccountNotFound']);
const INVALID_CODES = new Set(['InvalidResourceName', 'InvalidUri', 'OutOfRangeInput', 'UnsupportedHttpVerb']);
/** 4xx answers caused by a concurrent writer of the same blob (its commit or abort discarded our blocks): retryable. */
const RACE_CODES = new Set(['InvalidBlockList', 'InvalidBlobOrBlock', 'LeaseIdMissing', 'LeaseIdMismatchWithBlobOperation']);
/** Node and undici error codes meaning the service could not be reached at all (DNS, TCP, TLS). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'REQUEST_SEND_ERROR',
  'UND_ERR_SOCKET',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
]);

const FIXES: Record<ConnectorErrorCode, string> = {
  AUTH_FAILED: 'The account key or SAS was refused: copy a current connection string from the storage account.',
  PERMISSION_DENIED: 'The credentials lack a permission: a SAS needs read, write, list and delete on the container (sp=rwdl), or the account must allow this access.',
  NOT_FOUND: 'Create the container or correct its name; Activator does not create containers.',
  UNREACHABLE: 'Check the account name or BlobEndpoint, DNS and the firewall between Activator and the storage account.',
  TIMEOUT: 'The storage account did not answer in time; it will be retried.',
  SERVER_ERROR: 'Azure Storage reported a temporary problem; it will be retried.',
  INVALID_CONFIGURATION: 'Check the container name and the connection string.',
  HOST_KEY_MISMATCH: '',
};

function classify(fields: ErrorFields, timedOut: boolean): { code: ConnectorErrorCode; detail: string } {
  const serviceCode = typeof fields.code === 'string' ? fields.code : undefined;
  const status = typeof fields.statusCode === 'number' ? fields.statusCode : undefined;
  // The caller's own cancellation never reaches here (the connector rethrows its signal's reason), so an abort is a timeout.
  if (timedOut || fields.name === 'AbortError' || serviceCode === 'ETIMEDOUT' || serviceCode === 'OperationTimedOut') {
    return { code: 'TIMEOUT', detail: serviceCode ?? 'no answer in time' };
  }
  const detail = serviceCode ?? (status === undefined ? 'no response' : `HTTP ${status}`);
  if (serviceCode !== undefined) {
    if (AUTHENTICATION_CODES.has(serviceCode)) return { code: 'AUTH_FAILED', detail };
    if (PERMISSION_CODES.has(serviceCode)) return { code: 'PERMISSION_DENIED', detail };
    if (NOT_FOUND_CODES.has(serviceCode)) return { code: 'NOT_FOUND', detail };
    if (INVALID_CODES.has(serviceCode)) return { code: 'INVALID_CONFIGURATION', detail };
    if (RACE_CODES.has(serviceCode)) return { code: 'SERVER_ERROR', detail };
    if (NETWORK_CODES.has(serviceCode) && status === undefined) return { code: 'UNREACHABLE', detail };
  }
  if (status === 401) return { code: 'AUTH_FAILED', detail };
  if (status === 403) return { code: 'PERMISSION_DENIED', detail };
  if (status === 404) return { code: 'NOT_FOUND', detail };
  if (status === undefined) return { code: 'UNREACHABLE', detail };
  if (status === 400) return { code: 'INVALID_CONFIGURATION', detail };
  // 5xx, 503 ServerBusy, 429 throttling, 409/412 races: worth another attempt.
  return { code: 'SERVER_ERROR', detail };
}

/**
 * The cause kept for the log: the SDK's error carries its request (URL with a SAS signature, Authorization header),
 * so only its name, message, code and status are kept.
 */
function sanitisedCause(error: unknown, fields: ErrorFields): Error {
  const message = error instanceof Error ? error.message : String(error);
  const cause = new Error(message.replace(/sig=[^&\s]+/g, 'sig=REDACTED'));
  cause.name = typeof fields.name === 'string' ? fields.name : 'Error';
  return Object.assign(cause, { code: fields.code, statusCode: fields.statusCode });
}

/** The ConnectorError for a failed SDK call; a ConnectorError passes through unchanged. */
export function toConnectorError(error: unknown, context: AzureCallContext): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const fields: ErrorFields = typeof error === 'object' && error !== null ? error : {};
  const { code, detail } = classify(fields, context.timedOut);
  const message = `Azure Blob Storage failed ${context.action} ${context.location} (${detail}). ${FIXES[code]}`;
  return new ConnectorError(code, message, { cause: sanitisedCause(error, fields) });
}
