// The S3 connector against s3rver behind the strict front: error classification, the multipart path, GCS flavour.
// The contract suite (connector.case.test.ts) covers what every transport shares.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3Server } from '../../../test/support/with-s3-server.js';
import { createConnectorFactory } from '../connector-factory.js';
import type { ConnectorTarget } from '../connector.js';
import { chunksOf, failureOf, putFile, sha256 } from '../../../test/support/connector-test-helpers.js';

const MiB = 1024 * 1024;
const factory = createConnectorFactory({ callTimeoutMs: 20_000 });

/** Writes and publishes through a fresh connector (aborting on failure, as the pipeline does). */
const put = (target: ConnectorTarget, folder: string, name: string, data: Buffer, settings = factory) => putFile(settings, target, folder, name, data);

describe('S3 connector', () => {
  let server: S3Server;

  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Requests the front saw from now on. */
  function requestsFrom(start: number) {
    return server.front.requests.slice(start);
  }

  it('reports a wrong secret as AUTH_FAILED when writing, because the front checks signatures', async () => {
    const target = server.target({ credentials: { type: 'keys', accessKeyId: server.accessKeyId, secretAccessKey: 'not-the-secret' } });
    const error = await failureOf(put(target, 'auth', 'x.csv', Buffer.from('a\n')));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.transient).toBe(false);
    expect(error.message).toContain('SignatureDoesNotMatch');
    expect(error.message).not.toContain('not-the-secret');
    expect(await server.listKeys()).not.toContain('auth/x.csv');
  });

  it('reports an unknown access key id as AUTH_FAILED on the connection check', async () => {
    const connector = factory.open(server.target({ credentials: { type: 'keys', accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: server.secretAccessKey } }));
    try {
      const error = await failureOf(connector.checkConnection());
      expect(error.code).toBe('AUTH_FAILED');
      expect(error.message).toContain('InvalidAccessKeyId');
    } finally {
      await connector.close();
    }
  });

  it('accepts a read-only key on the connection check but reports PERMISSION_DENIED naming the permissions when writing', async () => {
    const target = server.target({ credentials: { type: 'keys', accessKeyId: server.readOnlyAccessKeyId, secretAccessKey: server.readOnlySecretAccessKey } });
    const connector = factory.open(target);
    try {
      await connector.checkConnection();
    } finally {
      await connector.close();
    }
    const error = await failureOf(put(target, 'crm/VIP', 'probe.txt', Buffer.alloc(64, 1)));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.transient).toBe(false);
    expect(error.message).toBe(`Access denied writing s3://${server.bucket}/crm/VIP/probe.txt. The credentials need s3:PutObject and s3:DeleteObject on this prefix.`);
    expect(await server.listKeys()).not.toContain('crm/VIP/probe.txt');
  });

  it('reports a missing bucket as NOT_FOUND on the connection check', async () => {
    const connector = factory.open(server.target({ bucket: 'no-such-bucket' }));
    try {
      const error = await failureOf(connector.checkConnection());
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain('s3://no-such-bucket/');
    } finally {
      await connector.close();
    }
  });

  it('reports 503 SlowDown as SERVER_ERROR, a transient failure, and a later attempt publishes', async () => {
    // The client makes at most two attempts per call; both are refused.
    server.front.injectFault('slow-down', 2);
    const error = await failureOf(put(server.target(), 'throttled', 'x.csv', Buffer.from('a,b\n')));
    expect(error.code).toBe('SERVER_ERROR');
    expect(error.transient).toBe(true);
    expect(error.message).toContain('SlowDown');
    expect(await server.listKeys()).not.toContain('throttled/x.csv');
    await put(server.target(), 'throttled', 'x.csv', Buffer.from('a,b\n'));
    expect((await server.readObject('throttled/x.csv'))?.toString()).toBe('a,b\n');
  });

  it('reports a server that never answers as TIMEOUT, a transient failure', async () => {
    server.front.injectFault('stall', 2);
    const connector = createConnectorFactory({ callTimeoutMs: 300 }).open(server.target());
    try {
      const error = await failureOf(connector.checkConnection());
      expect(error.code).toBe('TIMEOUT');
      expect(error.transient).toBe(true);
    } finally {
      server.front.injectFault('stall', 0);
      await connector.close();
    }
  });

  it('sends a file below 8 MiB as one PutObject at publish and nothing before', async () => {
    const start = server.front.requests.length;
    const connector = factory.open(server.target());
    try {
      const upload = await connector.beginUpload({ folder: 'small', name: 'one.csv' });
      await upload.write(chunksOf(randomBytes(8 * MiB - 1), MiB));
      expect(requestsFrom(start)).toEqual([]);
      await upload.publish();
    } finally {
      await connector.close();
    }
    expect(requestsFrom(start).map((request) => [request.method, [...request.query.keys()].sort().join('&'), request.bodyBytes])).toEqual([['PUT', 'x-id', 8 * MiB - 1]]);
  });

  it('uploads parts of 8 MiB while the stream arrives and completes the multipart upload only at publish', async () => {
    const data = randomBytes(2 * 8 * MiB + 12_345);
    const start = server.front.requests.length;
    const connector = factory.open(server.target());
    try {
      const upload = await connector.beginUpload({ folder: 'multi', name: 'big.bin' });
      await upload.write(chunksOf(data, MiB));
      expect(await server.readObject('multi/big.bin')).toBeUndefined();
      expect(await server.pendingUploads()).toEqual(['multi/big.bin']);
      const parts = requestsFrom(start).filter((request) => request.method === 'PUT' && request.query.has('partNumber'));
      expect(parts.map((request) => [request.query.get('partNumber'), request.bodyBytes])).toEqual([
        ['1', 8 * MiB],
        ['2', 8 * MiB],
        ['3', 12_345],
      ]);
      expect(requestsFrom(start).filter((request) => request.method === 'POST' && request.query.has('uploadId'))).toEqual([]);
      expect(await upload.publish()).toEqual({ folder: 'multi', name: 'big.bin', size: data.length });
    } finally {
      await connector.close();
    }
    expect(requestsFrom(start).filter((request) => request.method === 'POST').map((request) => [...request.query.keys()].sort().join('&'))).toEqual(['uploads', 'uploadId']);
    expect(sha256(await server.readObject('multi/big.bin'))).toBe(sha256(data));
    expect(await server.pendingUploads()).toEqual([]);
  }, 60_000);

  it('pulls at most three parts from the stream while two parts are unacknowledged, so memory stays bounded', async () => {
    // The store never answers parts 1 and 2: the writer may fill one more part, then must stop pulling the stream.
    server.front.injectFault('stall', 2, (request) => request.method === 'PUT' && request.query.has('partNumber'));
    const controller = new AbortController();
    const connector = factory.open(server.target());
    const upload = await connector.beginUpload({ folder: 'bounded', name: 'x.bin' }, { signal: controller.signal });
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled += MiB;
        yield randomBytes(MiB);
        await Promise.resolve();
      }
    }
    try {
      const start = server.front.requests.length;
      const writing = upload.write(endless());
      await expect.poll(() => requestsFrom(start).filter((request) => request.refusedWith === 0).length).toBe(2);
      // Two parts sent and unacknowledged + one full part waiting for a slot.
      await expect.poll(() => pulled).toBe(3 * 8 * MiB);
      controller.abort(new Error('run cancelled'));
      await expect(writing).rejects.toThrow('run cancelled');
      expect(pulled).toBe(3 * 8 * MiB);
    } finally {
      controller.abort(new Error('run cancelled'));
      await upload.abort();
      server.front.injectFault('stall', 0);
      await connector.close();
    }
    expect(await server.pendingUploads()).toEqual([]);
  }, 60_000);

  it('aborts the multipart upload by itself when a part fails, so nothing is left behind', async () => {
    server.front.injectFault('slow-down', 2, (request) => request.method === 'PUT' && request.query.get('partNumber') === '2');
    const error = await failureOf(put(server.target(), 'part-failure', 'x.bin', randomBytes(3 * 8 * MiB)));
    expect(error.code).toBe('SERVER_ERROR');
    expect(await server.readObject('part-failure/x.bin')).toBeUndefined();
    expect(await server.pendingUploads()).toEqual([]);
  }, 60_000);

  it('stops a write that is still running when abort() is called, leaving no upload behind', async () => {
    const connector = factory.open(server.target());
    try {
      const upload = await connector.beginUpload({ folder: 'abort-during-write', name: 'x.bin' });
      let openGate = () => {};
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      async function* body() {
        yield randomBytes(9 * MiB);
        await gate;
        yield randomBytes(9 * MiB);
      }
      const writing = upload.write(body());
      await expect.poll(() => server.pendingUploads()).toEqual(['abort-during-write/x.bin']);
      await upload.abort();
      openGate();
      await expect(writing).rejects.toThrow('aborted while it was being written');
      expect(await server.pendingUploads()).toEqual([]);
      expect(await server.readObject('abort-during-write/x.bin')).toBeUndefined();
    } finally {
      await connector.close();
    }
  }, 60_000);

  it('rejects with the caller’s reason, not a ConnectorError, when the call is cancelled', async () => {
    const connector = factory.open(server.target());
    const controller = new AbortController();
    controller.abort(new Error('run cancelled'));
    try {
      await expect(connector.checkConnection({ signal: controller.signal })).rejects.toThrow('run cancelled');
    } finally {
      await connector.close();
    }
  });

  it('lists only the files directly in a folder, with their sizes', async () => {
    await put(server.target(), 'listing', 'a.csv', Buffer.from('12345'));
    await put(server.target(), 'listing/sub', 'b.csv', Buffer.from('1'));
    const connector = factory.open(server.target());
    try {
      const listed = await connector.list('listing');
      expect(listed.map((file) => [file.name, file.size, file.temporary])).toEqual([['a.csv', 5, false]]);
      expect(connector.describe('listing')).toBe(`s3://${server.bucket}/listing/`);
    } finally {
      await connector.close();
    }
  });

  describe('GCS flavour through the same server', () => {
    it('signs for region auto with path-style requests and describes locations as gs://', async () => {
      const target = server.target({ flavour: 'gcs', region: '', forcePathStyle: false });
      const start = server.front.requests.length;
      const data = randomBytes(9 * MiB);
      await put(target, 'gcs', 'export.parquet', data);
      expect(sha256(await server.readObject('gcs/export.parquet'))).toBe(sha256(data));
      const seen = requestsFrom(start);
      expect(new Set(seen.map((request) => request.region))).toEqual(new Set(['auto']));
      expect(seen.every((request) => request.path.startsWith(`/${server.bucket}/`))).toBe(true);
      const connector = factory.open(target);
      try {
        expect(connector.describe('gcs')).toBe(`gs://${server.bucket}/gcs/`);
      } finally {
        await connector.close();
      }
    }, 60_000);

    it('names GCS permissions when an HMAC key may only read', async () => {
      const target = server.target({
        flavour: 'gcs',
        region: '',
        credentials: { type: 'keys', accessKeyId: server.readOnlyAccessKeyId, secretAccessKey: server.readOnlySecretAccessKey },
      });
      const error = await failureOf(put(target, 'gcs', 'probe.txt', Buffer.alloc(64)));
      expect(error.code).toBe('PERMISSION_DENIED');
      expect(error.message).toBe(
        `Access denied writing gs://${server.bucket}/gcs/probe.txt. The credentials need storage.objects.create and storage.objects.delete on this prefix.`,
      );
    });
  });
});
