// Turns what the AWS SDK throws (S3 error codes, HTTP statuses, socket errors) into the port's ConnectorError codes.
//
// Pure: the caller says which operation failed and where, so the message can name the location and the fix.
// Messages carry the S3 error code but never the SDK's message (which may echo the string to sign) or a secret;
// PERMISSION_DENIED messages are exactly SPEC §6.7's form (the location and the permissions the operation needs).
import { ConnectorError, type ConnectorErrorCode } from '../connector.js';

/** What was being done when a call failed: picks the permission a PERMISSION_DENIED message names. */
export type S3Operation = 'connect' | 'write' | 'list' | 'delete';

export interface S3FailureContext {
  readonly operation: S3Operation;
  /** Display form of the object or prefix (`s3://bucket/folder/`, `gs://…`). */
  readonly location: string;
  readonly flavour: 'aws' | 'gcs';
  /** True when the connector's own per-call timeout fired. */
  readonly timedOut?: boolean;
}

const AUTH_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidToken',
  'InvalidSecurity',
  'MissingSecurityHeader',
  'RequestTimeTooSkewed',
  'InvalidClientTokenId',
  'CredentialsProviderError',
  'UnrecognizedClientException',
]);
const PERMISSION_CODES = new Set(['AccessDenied', 'AllAccessDisabled', 'AccountProblem', 'Forbidden']);
const NOT_FOUND_CODES = new Set(['NoSuchBucket', 'NotFound']);
const CONFIGURATION_CODES = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'InvalidBucketName', 'IllegalLocationConstraintException', 'KeyTooLongError', 'InvalidArgument', 'InvalidRequest']);
const SERVER_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'TooManyRequestsException', 'NoSuchUpload', 'RequestLimitExceeded']);
const TIMEOUT_NAMES = new Set(['TimeoutError']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'EPROTO', 'ERR_SOCKET_CLOSED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

interface Inspected {
  readonly code: string | undefined;
  readonly status: number | undefined;
  readonly errno: string | undefined;
  readonly name: string | undefined;
}

/** The ConnectorError for a failed S3 call (a ConnectorError passes through unchanged). */
export function toConnectorError(error: unknown, context: S3FailureContext): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const seen = inspect(error);
  const [code, message] = classify(seen, context);
  return new ConnectorError(code, message, { cause: error });
}

function classify(seen: Inspected, context: S3FailureContext): [ConnectorErrorCode, string] {
  const where = context.location;
  const service = context.flavour === 'gcs' ? 'Google Cloud Storage' : 'S3';
  const tag = seen.code === undefined ? '' : ` (${service} error ${seen.code})`;
  if (context.timedOut === true || TIMEOUT_NAMES.has(seen.name ?? '') || TIMEOUT_CODES.has(seen.errno ?? '')) {
    return ['TIMEOUT', `${service} did not answer in time for ${where}; check the endpoint and the network, then try again.`];
  }
  if (seen.errno !== undefined && DNS_CODES.has(seen.errno)) {
    return ['UNREACHABLE', `The ${service} endpoint for ${where} cannot be resolved (DNS ${seen.errno}); check the endpoint or region.`];
  }
  if (seen.errno !== undefined && (NETWORK_CODES.has(seen.errno) || seen.errno.includes('CERT') || seen.errno.startsWith('ERR_TLS'))) {
    return ['UNREACHABLE', `The ${service} endpoint for ${where} could not be reached (${seen.errno}); check the endpoint, port and firewall.`];
  }
  if (seen.code !== undefined && AUTH_CODES.has(seen.code)) {
    return ['AUTH_FAILED', `${service} refused the credentials for ${where}${tag}; check the access key id and secret (or the role and its trust policy).`];
  }
  if (seen.code !== undefined && PERMISSION_CODES.has(seen.code)) return ['PERMISSION_DENIED', permissionMessage(context)];
  if (seen.code !== undefined && NOT_FOUND_CODES.has(seen.code)) {
    return ['NOT_FOUND', `The bucket of ${where} does not exist${tag}; check the bucket name (and the region or endpoint).`];
  }
  if ((seen.code !== undefined && CONFIGURATION_CODES.has(seen.code)) || seen.status === 301) {
    return ['INVALID_CONFIGURATION', `${service} refused the request for ${where} as misconfigured${tag}; check the bucket's region and the endpoint.`];
  }
  if ((seen.code !== undefined && SERVER_CODES.has(seen.code)) || (seen.status !== undefined && (seen.status >= 500 || seen.status === 429))) {
    return ['SERVER_ERROR', `${service} failed or throttled the request for ${where}${tag || ` (HTTP ${seen.status ?? '?'})`}; it may succeed when retried.`];
  }
  if (seen.status === 401) return ['AUTH_FAILED', `${service} refused the credentials for ${where}${tag}; check the access key id and secret.`];
  if (seen.status === 403) return ['PERMISSION_DENIED', permissionMessage(context)];
  if (seen.status === 404) return ['NOT_FOUND', `The bucket of ${where} does not exist${tag}; check the bucket name.`];
  if (seen.status !== undefined && seen.status >= 400) {
    return ['INVALID_CONFIGURATION', `${service} refused the request for ${where}${tag || ` (HTTP ${seen.status})`}; check the connection's settings.`];
  }
  return ['SERVER_ERROR', `The ${service} call for ${where} failed unexpectedly${tag}; it may succeed when retried.`];
}

function permissionMessage(context: S3FailureContext): string {
  const gcs = context.flavour === 'gcs';
  const needs: Record<S3Operation, [string, string]> = {
    connect: [`reading the bucket of ${context.location}`, gcs ? 'storage.buckets.get (or storage.objects.list) on the bucket' : 's3:ListBucket on the bucket'],
    write: [`writing ${context.location}`, gcs ? 'storage.objects.create and storage.objects.delete on this prefix' : 's3:PutObject and s3:DeleteObject on this prefix'],
    list: [`listing ${context.location}`, gcs ? 'storage.objects.list on the bucket' : 's3:ListBucket on the bucket'],
    delete: [`deleting ${context.location}`, gcs ? 'storage.objects.delete on this prefix' : 's3:DeleteObject on this prefix'],
  };
  const [doing, permission] = needs[context.operation];
  return `Access denied ${doing}. The credentials need ${permission}.`;
}

function inspect(error: unknown): Inspected {
  if (typeof error !== 'object' || error === null) return { code: undefined, status: undefined, errno: undefined, name: undefined };
  const record = error as { name?: unknown; Code?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown }; cause?: unknown };
  const name = typeof record.name === 'string' ? record.name : undefined;
  const status = typeof record.$metadata?.httpStatusCode === 'number' ? record.$metadata.httpStatusCode : undefined;
  const errno = typeof record.code === 'string' ? record.code : errnoOf(record.cause);
  const s3Code = typeof record.Code === 'string' ? record.Code : status !== undefined && name !== undefined && name !== 'Unknown' ? name : undefined;
  const code = s3Code ?? (name === 'CredentialsProviderError' ? name : undefined);
  return { code, status, errno, name };
}

function errnoOf(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
