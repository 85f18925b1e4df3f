// Builds the AWS SDK S3 client of a target: endpoint and path style, key or assumed-role credentials, flavour defaults.
import { S3Client } from '@aws-sdk/client-s3';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { ConnectorSettings, S3Target } from '../connector.js';

/** GCS's S3-interoperable XML API (SPEC §6.3, `HMAC Key`). */
export const GCS_DEFAULT_ENDPOINT = 'https://storage.googleapis.com';

/** Endpoint, path style and region after flavour defaults: what the client is actually built with. */
export interface ResolvedS3Location {
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  readonly region: string;
}

/** Pure: the flavour's defaults applied to a target. GCS always uses path style and signs for region `auto`. */
export function resolveS3Location(target: S3Target): ResolvedS3Location {
  if (target.flavour === 'gcs') {
    return { endpoint: target.endpoint ?? GCS_DEFAULT_ENDPOINT, forcePathStyle: true, region: target.region === '' ? 'auto' : target.region };
  }
  return { endpoint: target.endpoint, forcePathStyle: target.forcePathStyle, region: target.region === '' ? 'us-east-1' : target.region };
}

/**
 * The client of one connector. Retries are kept to one extra attempt: the run layer retries whole attempts, and a
 * connection test must answer quickly. Checksums are computed only where S3 requires them, because GCS and many
 * S3-compatible stores refuse the SDK's default CRC trailers; each body is still covered by its signed SHA-256.
 */
export function createS3Client(target: S3Target, settings: ConnectorSettings): S3Client {
  const location = resolveS3Location(target);
  const credentials =
    target.credentials.type === 'keys'
      ? { accessKeyId: target.credentials.accessKeyId, secretAccessKey: target.credentials.secretAccessKey }
      : fromTemporaryCredentials({
          params: {
            RoleArn: target.credentials.roleArn,
            RoleSessionName: 'activator-export',
            ...(target.credentials.externalId === undefined ? {} : { ExternalId: target.credentials.externalId }),
          },
          clientConfig: { region: location.region === 'auto' ? 'us-east-1' : location.region },
        });
  return new S3Client({
    region: location.region,
    ...(location.endpoint === undefined ? {} : { endpoint: location.endpoint }),
    forcePathStyle: location.forcePathStyle,
    // Amazon S3 answers a wrong region with a redirect naming the right one; other stores never redirect.
    followRegionRedirects: target.flavour === 'aws' && location.endpoint === undefined,
    credentials,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: settings.callTimeoutMs, requestTimeout: settings.callTimeoutMs },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
