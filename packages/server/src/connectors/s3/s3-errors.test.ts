// Classification of S3 failures (table-driven): which code, whether transient, and what the message says.
import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { ConnectorErrorCode } from '../connector.js';
import { toConnectorError, type S3FailureContext } from './s3-errors.js';

const write: S3FailureContext = { operation: 'write', location: 's3://acme/crm/a.csv', flavour: 'aws' };

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: `secret-bearing SDK text for ${name}` });
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code, $metadata: {} });
}

describe('toConnectorError', () => {
  it.each<[string, unknown, ConnectorErrorCode, boolean]>([
    ['a wrong secret', s3Error('SignatureDoesNotMatch', 403), 'AUTH_FAILED', false],
    ['an unknown key id', s3Error('InvalidAccessKeyId', 403), 'AUTH_FAILED', false],
    ['an expired session token', s3Error('ExpiredToken', 400), 'AUTH_FAILED', false],
    ['no AWS credentials for the role', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'AUTH_FAILED', false],
    ['a missing permission', s3Error('AccessDenied', 403), 'PERMISSION_DENIED', false],
    ['a 403 HEAD answer without a body', s3Error('Forbidden', 403), 'PERMISSION_DENIED', false],
    ['a missing bucket', s3Error('NoSuchBucket', 404), 'NOT_FOUND', false],
    ['a 404 HEAD answer', s3Error('NotFound', 404), 'NOT_FOUND', false],
    ['a bucket in another region', s3Error('PermanentRedirect', 301), 'INVALID_CONFIGURATION', false],
    ['a wrong signing region', s3Error('AuthorizationHeaderMalformed', 400), 'INVALID_CONFIGURATION', false],
    ['throttling', s3Error('SlowDown', 503), 'SERVER_ERROR', true],
    ['HTTP 429 with an unknown code', s3Error('Unknown', 429), 'SERVER_ERROR', true],
    ['an internal error', s3Error('InternalError', 500), 'SERVER_ERROR', true],
    ['an upload that vanished', s3Error('NoSuchUpload', 404), 'SERVER_ERROR', true],
    ['an unknown host', socketError('ENOTFOUND'), 'UNREACHABLE', true],
    ['a refused connection', socketError('ECONNREFUSED'), 'UNREACHABLE', true],
    ['a reset connection', socketError('ECONNRESET'), 'UNREACHABLE', true],
    ['a TLS certificate problem', socketError('CERT_HAS_EXPIRED'), 'UNREACHABLE', true],
    ['a socket timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'TIMEOUT', true],
  ])('classifies %s', (_what, error, code, transient) => {
    const mapped = toConnectorError(error, write);
    expect([mapped.code, mapped.transient]).toEqual([code, transient]);
    expect(mapped.message).toContain('s3://acme/crm/a.csv');
    expect(mapped.message).not.toContain('secret-bearing');
    expect(mapped.cause).toBe(error);
  });

  it('reports TIMEOUT when the connector’s own deadline fired, whatever the SDK threw', () => {
    expect(toConnectorError(Object.assign(new Error('aborted'), { name: 'AbortError' }), { ...write, timedOut: true }).code).toBe('TIMEOUT');
  });

  it('names the permissions each operation needs, for S3 and for GCS', () => {
    const denied = s3Error('AccessDenied', 403);
    expect(toConnectorError(denied, write).message).toBe(
      'Access denied writing s3://acme/crm/a.csv. The credentials need s3:PutObject and s3:DeleteObject on this prefix.',
    );
    expect(toConnectorError(denied, { operation: 'list', location: 's3://acme/crm/', flavour: 'aws' }).message).toContain('s3:ListBucket');
    expect(toConnectorError(denied, { operation: 'delete', location: 'gs://acme/crm/a.csv', flavour: 'gcs' }).message).toBe(
      'Access denied deleting gs://acme/crm/a.csv. The credentials need storage.objects.delete on this prefix.',
    );
  });
});
