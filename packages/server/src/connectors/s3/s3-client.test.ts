// Flavour defaults of the S3 client: what an AWS, S3-compatible or GCS target is actually built with.
import { describe, expect, it } from 'vitest';
import type { S3Target } from '../connector.js';
import { GCS_DEFAULT_ENDPOINT, resolveS3Location } from './s3-client.js';

const base: S3Target = {
  kind: 's3',
  flavour: 'aws',
  bucket: 'acme',
  region: 'eu-west-1',
  forcePathStyle: false,
  credentials: { type: 'keys', accessKeyId: 'AKIA', secretAccessKey: 'secret' },
};

describe('resolveS3Location', () => {
  it('keeps an AWS target as given, with the AWS default endpoint', () => {
    expect(resolveS3Location(base)).toEqual({ endpoint: undefined, forcePathStyle: false, region: 'eu-west-1' });
  });

  it('defaults an empty AWS region to us-east-1', () => {
    expect(resolveS3Location({ ...base, region: '' }).region).toBe('us-east-1');
  });

  it('keeps the endpoint and path style of an S3-compatible store', () => {
    expect(resolveS3Location({ ...base, endpoint: 'https://minio.example:9000', forcePathStyle: true })).toEqual({
      endpoint: 'https://minio.example:9000',
      forcePathStyle: true,
      region: 'eu-west-1',
    });
  });

  it('sends GCS to storage.googleapis.com with path-style requests signed for region auto', () => {
    expect(resolveS3Location({ ...base, flavour: 'gcs', region: '' })).toEqual({ endpoint: GCS_DEFAULT_ENDPOINT, forcePathStyle: true, region: 'auto' });
    expect(GCS_DEFAULT_ENDPOINT).toBe('https://storage.googleapis.com');
  });

  it('lets a GCS target override the endpoint', () => {
    expect(resolveS3Location({ ...base, flavour: 'gcs', region: '', endpoint: 'http://127.0.0.1:9000' }).endpoint).toBe('http://127.0.0.1:9000');
  });
});
