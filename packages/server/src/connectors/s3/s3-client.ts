// Builds the AWS SDK S3 client of a target: endpoint and path style, key or assumed-role credentials, flavour defaults.
import { S3Client } from '@aws-sdk/client-s3';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ConnectorError, type ConnectorSettings, type S3Target } from '../connector.js';

type CredentialsProvider = ReturnType<typeof fromTemporaryCredentials>;

/** STS codes meaning the environment's own credentials (not the role) were refused. */
const OWN_CREDENTIALS_REFUSED = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'IncompleteSignature']);

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
      : assumedRoleCredentials(target.credentials, location.region === 'auto' ? 'us-east-1' : location.region);
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

/**
 * Credentials of an assumed role (SPEC §6.3 `Assumed Role`): STS AssumeRole signed with the AWS credentials of
 * Activator's own environment (standard variables, profile or instance role). A refusal by STS, or no environment
 * credentials at all, is AUTH_FAILED naming the role; network failures pass through to be classified as usual.
 */
function assumedRoleCredentials(role: { readonly roleArn: string; readonly externalId?: string }, region: string): CredentialsProvider {
  const provider = fromTemporaryCredentials({
    params: { RoleArn: role.roleArn, RoleSessionName: 'activator-export', ...(role.externalId === undefined ? {} : { ExternalId: role.externalId }) },
    clientConfig: { region },
  });
  return async (options) => {
    try {
      return await provider(options);
    } catch (error) {
      const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      const status = $metadata?.httpStatusCode;
      if (name === 'CredentialsProviderError') {
        throw new ConnectorError('AUTH_FAILED', `Activator has no AWS credentials of its own to assume the role ${role.roleArn}; set the standard AWS variables or an instance role.`, { cause: error });
      }
      if (status !== undefined && status >= 400 && status < 500) {
        const fix = OWN_CREDENTIALS_REFUSED.has(name ?? '') ? "check Activator's own AWS credentials" : "check the role's trust policy and the external id";
        throw new ConnectorError('AUTH_FAILED', `STS refused to let Activator assume the role ${role.roleArn} (STS error ${name ?? status}); ${fix}.`, { cause: error });
      }
      throw error;
    }
  };
}
