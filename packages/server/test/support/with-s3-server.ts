// s3rver on loopback behind the strict front (s3-front-server.ts): the S3 server of the contract suite, the S3
// connector tests, the connection-test endpoint and the benchmark. Files are read back with the SDK straight from
// s3rver, never through the connector under test.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { S3Target } from '../../src/connectors/connector.js';
import type { ConnectorEnvironment, ConnectorEnvironmentProvider } from './connector-environment.js';
import { startS3Front, type S3Front } from './s3-front-server.js';

/** A running s3rver + front with one bucket, a read-write key and a read-only key. */
export interface S3Server {
  /** The front's URL: what connectors talk to. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** A key the front accepts for GET/HEAD only (writes → 403 AccessDenied). */
  readonly readOnlyAccessKeyId: string;
  readonly readOnlySecretAccessKey: string;
  /** A role the read-write key may assume through the front's STS answer (point AWS_ENDPOINT_URL_STS at `endpoint`). */
  readonly role: { readonly roleArn: string; readonly externalId: string };
  readonly front: S3Front;
  /** s3rver's storage directory. */
  readonly directory: string;
  /** s3rver's own port (behind the front): only for tests that show what the front protects against. */
  upstreamPort(): Promise<number>;
  /** An `s3` target for this server (read-write key, path style); override fields as needed. */
  target(overrides?: Partial<S3Target>): S3Target;
  /** The bytes of `key`, read from s3rver directly; undefined when absent. */
  readObject(key: string): Promise<Buffer | undefined>;
  /** Every object key in the bucket, read from s3rver directly. */
  listKeys(): Promise<readonly string[]>;
  /** Keys of multipart uploads neither completed nor aborted (read from s3rver's storage directory). */
  pendingUploads(): Promise<readonly string[]>;
  stop(): Promise<void>;
}

/** Starts s3rver (temp directory, bucket created) and the front before it, both on 127.0.0.1. */
export async function startS3Server(options: { readonly bucket?: string } = {}): Promise<S3Server> {
  const bucket = options.bucket ?? 'activator-exports';
  const directory = await mkdtemp(path.join(os.tmpdir(), 'activator-s3rver-'));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const address = await s3rver.run();
  const accessKeyId = 'AKIAACTIVATORTEST001';
  const secretAccessKey = randomBytes(30).toString('base64');
  const readOnlyAccessKeyId = 'AKIAACTIVATORREAD001';
  const readOnlySecretAccessKey = randomBytes(30).toString('base64');
  const role = { roleArn: 'arn:aws:iam::000000000000:role/activator-export', externalId: randomBytes(8).toString('hex') };
  const front = await startS3Front({
    upstreamPort: address.port,
    storageDirectory: directory,
    keys: [
      { accessKeyId, secretAccessKey },
      { accessKeyId: readOnlyAccessKeyId, secretAccessKey: readOnlySecretAccessKey, readOnly: true },
    ],
    roles: [role],
  });
  // s3rver ignores signatures; its own default account is used only to make the SDK sign at all.
  const direct = new S3Client({
    endpoint: `http://127.0.0.1:${address.port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  return {
    endpoint: front.endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    readOnlyAccessKeyId,
    readOnlySecretAccessKey,
    role,
    front,
    directory,
    upstreamPort: () => Promise.resolve(address.port),
    target: (overrides = {}) => ({
      kind: 's3',
      flavour: 'aws',
      bucket,
      region: 'us-east-1',
      endpoint: front.endpoint,
      forcePathStyle: true,
      credentials: { type: 'keys', accessKeyId, secretAccessKey },
      ...overrides,
    }),
    async readObject(key) {
      try {
        const object = await direct.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(await (object.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async listKeys() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await direct.send(new ListObjectsV2Command({ Bucket: bucket, ...(token === undefined ? {} : { ContinuationToken: token }) }));
        keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key])));
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    },
    async pendingUploads() {
      const uploads = path.join(directory, bucket, '._S3rver_uploads');
      const ids = await readdir(uploads).catch(() => [] as string[]);
      return Promise.all(ids.map((id) => readFile(path.join(uploads, id, 'key'), 'utf8').catch(() => `<upload ${id}>`)));
    },
    async stop() {
      direct.destroy();
      await front.close();
      await s3rver.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const keyOf = (folder: string, name: string) => (folder === '' ? name : `${folder}/${name}`);

export const s3Environment: ConnectorEnvironmentProvider = {
  name: 's3',
  unavailable: () => undefined,
  async start(): Promise<ConnectorEnvironment> {
    const server = await startS3Server();
    const port = await closedLoopbackPort();
    const good = server.target();
    return {
      target: good,
      badCredentials: server.target({ credentials: { type: 'keys', accessKeyId: server.accessKeyId, secretAccessKey: 'wrong-secret-for-the-contract-suite' } }),
      missingLocation: server.target({ bucket: 'no-such-bucket' }),
      unreachable: server.target({ endpoint: `http://127.0.0.1:${port}` }),
      readBack: (folder, name) => server.readObject(keyOf(folder, name)),
      listAll: () => server.listKeys(),
      pendingUploads: () => server.pendingUploads(),
      stop: () => server.stop(),
    };
  },
};
