// The S3 connector: Amazon S3, S3-compatible stores and Google Cloud Storage (through its S3-interoperable API).
//
// Objects are `folder/name` keys; uploads are multipart (or one PutObject below 8 MiB) and become visible only when
// published, so a failed or killed upload never shows under its final name (SPEC §8.4). Leftover parts of a killed
// process stay invisible; a bucket lifecycle rule (AbortIncompleteMultipartUpload) reclaims them.
import { HeadBucketCommand, ListObjectsV2Command, DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  ConnectorError,
  type CallOptions,
  type Connector,
  type ConnectorCapabilities,
  type ConnectorSettings,
  type FileLocation,
  type ListedFile,
  type PendingUpload,
  type S3Target,
} from '../connector.js';
import { createS3Client } from './s3-client.js';
import { toConnectorError, type S3Operation } from './s3-errors.js';
import { folderPrefix, objectKey } from './s3-object-key.js';
import { S3PendingUpload, type S3Call } from './s3-upload.js';

const CAPABILITIES: ConnectorCapabilities = { supportsRename: false, supportsMultipart: true };

export class S3Connector implements Connector {
  readonly capabilities = CAPABILITIES;
  private readonly client: S3Client;
  private closed = false;

  constructor(
    private readonly target: S3Target,
    private readonly settings: ConnectorSettings,
    client?: S3Client,
  ) {
    this.client = client ?? createS3Client(target, settings);
  }

  describe(folder: string): string {
    const scheme = this.target.flavour === 'gcs' ? 'gs' : 's3';
    let prefix: string;
    try {
      prefix = folderPrefix(folder);
    } catch {
      prefix = folder;
    }
    return `${scheme}://${this.target.bucket}/${prefix}`;
  }

  async checkConnection(options?: CallOptions): Promise<{ readonly hostKeyFingerprint?: string }> {
    const where = this.describe('');
    const call = this.caller(options?.signal);
    try {
      await call('connect', where, (abortSignal) => this.client.send(new HeadBucketCommand({ Bucket: this.target.bucket }), { abortSignal }));
    } catch (error) {
      // HEAD answers carry no body, so a 403 cannot tell a bad signature from a missing permission; a GET can.
      if (!(error instanceof ConnectorError) || error.code !== 'PERMISSION_DENIED') throw error;
      await call('connect', where, (abortSignal) =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.target.bucket, MaxKeys: 1 }), { abortSignal }),
      );
    }
    return {};
  }

  beginUpload(location: FileLocation, options?: CallOptions): Promise<PendingUpload> {
    // Nothing is sent yet: the multipart upload is created when the first part is full (or never, below 8 MiB).
    return Promise.resolve().then(() => {
      const key = objectKey(location, (folder) => this.describe(folder));
      options?.signal?.throwIfAborted();
      return new S3PendingUpload({
        client: this.client,
        bucket: this.target.bucket,
        key,
        location,
        display: `${this.describe(location.folder)}${location.name}`,
        call: this.caller(options?.signal),
      });
    });
  }

  async delete(location: FileLocation, options?: CallOptions): Promise<void> {
    const key = objectKey(location, (folder) => this.describe(folder));
    await this.caller(options?.signal)('delete', `${this.describe(location.folder)}${location.name}`, (abortSignal) =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.target.bucket, Key: key }), { abortSignal }),
    );
  }

  async list(folder: string, options?: CallOptions): Promise<readonly ListedFile[]> {
    const prefix = folderPrefix(folder);
    const call = this.caller(options?.signal);
    const files: ListedFile[] = [];
    let token: string | undefined;
    do {
      const continuation = token;
      const page = await call('list', this.describe(folder), (abortSignal) =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.target.bucket, Prefix: prefix, Delimiter: '/', ...(continuation === undefined ? {} : { ContinuationToken: continuation }) }),
          { abortSignal },
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || object.Key.length <= prefix.length) continue;
        files.push({ name: object.Key.slice(prefix.length), size: object.Size ?? 0, modifiedAt: object.LastModified?.getTime() ?? 0, temporary: false });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return files;
  }

  close(): Promise<void> {
    if (!this.closed) this.client.destroy();
    this.closed = true;
    return Promise.resolve();
  }

  /** Binds the caller's signal: every call gets the configured timeout, and failures become ConnectorErrors. */
  private caller(signal: AbortSignal | undefined): S3Call {
    const { callTimeoutMs } = this.settings;
    const flavour = this.target.flavour;
    return async <T>(operation: S3Operation, location: string, run: (abortSignal: AbortSignal) => Promise<T>, options?: { readonly detached?: boolean }) => {
      const cancel = options?.detached === true ? undefined : signal;
      cancel?.throwIfAborted();
      const timeout = AbortSignal.timeout(callTimeoutMs);
      try {
        return await run(cancel === undefined ? timeout : AbortSignal.any([cancel, timeout]));
      } catch (error) {
        if (cancel?.aborted === true) throw cancel.reason;
        throw toConnectorError(error, { operation, location, flavour, timedOut: timeout.aborted });
      }
    };
  }
}

/** The factory's opener for `s3` targets. */
export function openS3Connector(target: S3Target, settings: ConnectorSettings): Connector {
  return new S3Connector(target, settings);
}
