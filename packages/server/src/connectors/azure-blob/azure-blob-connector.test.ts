// What the contract suite does not cover for Azure Blob: auth and permission errors as Azure words them (through the
// Shared Key front, since Azurite alone is lenient), block staging seen at the wire, atomic replacement, the fate of
// uncommitted blocks, and error codes for timeouts, throttling and unreachable hosts. Real Azurite on loopback.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { AccountSASPermissions, generateAccountSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobsWithUncommittedBlocks, closedLoopbackPort, readCommittedBlob, startAzurite, azuriteUnavailable, type AzuriteServer } from '../../../test/support/with-azurite.js';
import { ConnectorError, type AzureBlobTarget, type Connector } from '../connector.js';
import { openAzureBlobConnector } from './azure-blob-connector.js';

const MiB = 1024 * 1024;
const settings = { callTimeoutMs: 20_000 };

function chunksOf(data: Buffer, size: number): AsyncIterable<Uint8Array> {
  function* chunks() {
    for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
  }
  return Readable.from(chunks());
}

const sha256 = (data: Buffer | undefined) => (data === undefined ? undefined : createHash('sha256').update(data).digest('hex'));

async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ConnectorError);
  return outcome as ConnectorError;
}

/** Runs `use` on a fresh connector for `target` and closes it. */
async function withConnector<T>(target: AzureBlobTarget, use: (connector: Connector) => Promise<T>, callTimeoutMs = settings.callTimeoutMs): Promise<T> {
  const connector = openAzureBlobConnector(target, { callTimeoutMs });
  try {
    return await use(connector);
  } finally {
    await connector.close();
  }
}

async function put(connector: Connector, folder: string, name: string, data: Buffer) {
  const upload = await connector.beginUpload({ folder, name });
  await upload.write(chunksOf(data, 256 * 1024));
  return upload.publish();
}

/** A loopback HTTP server answering every request with `status` and Azure's error code header. */
async function withAnsweringServer<T>(status: number, errorCode: string, use: (endpoint: string) => Promise<T>): Promise<T> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(status, { 'x-ms-error-code': errorCode, 'content-type': 'application/xml' });
      response.end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${errorCode}</Code><Message>answer</Message></Error>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await use(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/activatortest`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const reason = azuriteUnavailable();
describe.skipIf(reason !== undefined)(`azure-blob connector${reason === undefined ? '' : ` (skipped: ${reason})`}`, () => {
  let azurite: AzuriteServer;
  let target: AzureBlobTarget;
  const withEndpoint = (endpoint: string): AzureBlobTarget => ({ ...target, connectionString: azurite.connectionString.replace(azurite.blobEndpoint, endpoint) });
  const blockRequestsTo = (path: string) => azurite.frontRequests.filter((request) => request.path === path && request.comp === 'block');

  beforeAll(async () => {
    azurite = await startAzurite();
    target = { kind: 'azure-blob', connectionString: azurite.connectionString, container: azurite.container };
  }, 60_000);
  afterAll(async () => {
    await azurite?.stop();
  });

  it('answers a wrong account key with AUTH_FAILED because the front checks the signature as Azure does', async () => {
    const wrongKey = randomBytes(64).toString('base64');
    const bad = { ...target, connectionString: azurite.connectionString.replace(azurite.accountKey, wrongKey) };
    const error = await withConnector(bad, (connector) => failureOf(connector.checkConnection()));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.transient).toBe(false);
    expect(error.message).not.toContain(wrongKey);
    expect(azurite.frontRequests.at(-1)?.refused).toBe('AuthenticationFailed');
  });

  it('shows why the front exists: Azurite alone answers a wrong key with AuthorizationFailure, which reads as PERMISSION_DENIED', async () => {
    const wrongKey = randomBytes(64).toString('base64');
    const direct = {
      ...target,
      connectionString: azurite.connectionString.replace(azurite.blobEndpoint, azurite.directEndpoint).replace(azurite.accountKey, wrongKey),
    };
    const error = await withConnector(direct, (connector) => failureOf(connector.checkConnection()));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.message).toContain('AuthorizationFailure');
  });

  it('refuses a correctly signed request replayed against another resource: the front checks what was signed', async () => {
    await withConnector(target, (connector) => connector.checkConnection());
    const signed = azurite.frontRequests.at(-1);
    expect(signed?.refused).toBeUndefined();
    const replay = (url: string) =>
      new Promise<number>((resolve, reject) => {
        const front = new URL(azurite.blobEndpoint);
        const request = http.request({ host: front.hostname, port: front.port, method: signed?.method, path: url, headers: signed?.headers }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
    expect(await replay(signed?.url ?? '')).toBe(200);
    expect(await replay((signed?.url ?? '').replace('/exports?', '/other?'))).toBe(403);
    expect(azurite.frontRequests.at(-1)?.refused).toBe('AuthenticationFailed');
  });

  it('reports a missing container as NOT_FOUND when checking the connection', async () => {
    const error = await withConnector({ ...target, container: 'no-such-container' }, (connector) => failureOf(connector.checkConnection()));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('/no-such-container/');
  });

  it('reports writing with a read-and-list SAS as PERMISSION_DENIED, after the connection check succeeds', async () => {
    const sas = generateAccountSASQueryParameters(
      { permissions: AccountSASPermissions.parse('rl'), services: 'b', resourceTypes: 'sco', expiresOn: new Date(Date.now() + 3_600_000) },
      new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
    ).toString();
    const readOnly = { ...target, connectionString: `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas}` };
    await withConnector(readOnly, async (connector) => {
      await connector.checkConnection();
      const error = await failureOf(put(connector, 'sas', 'denied.csv', Buffer.from('a,b\n')));
      expect(error.code).toBe('PERMISSION_DENIED');
      expect(error.message).not.toContain(sas);
    });
    expect(await readCommittedBlob(azurite.direct, 'sas/denied.csv')).toBeUndefined();
  });

  it('stages 8 MiB blocks and commits them once: a 20 MiB file is three blocks at the front', async () => {
    const data = randomBytes(20 * MiB + 777);
    await withConnector(target, (connector) => put(connector, 'blocks', 'three.bin', data));
    const staged = blockRequestsTo('/exports/blocks/three.bin').map((request) => request.bodyLength);
    expect(staged.sort((a, b) => b - a)).toEqual([8 * MiB, 8 * MiB, 4 * MiB + 777]);
    expect(azurite.frontRequests.filter((request) => request.path === '/exports/blocks/three.bin' && request.comp === 'blocklist')).toHaveLength(1);
    expect(sha256(await readCommittedBlob(azurite.direct, 'blocks/three.bin'))).toBe(sha256(data));
  }, 60_000);

  it('writes an empty file as a commit of an empty block list', async () => {
    await withConnector(target, (connector) => put(connector, 'blocks', 'empty.csv', Buffer.alloc(0)));
    expect(blockRequestsTo('/exports/blocks/empty.csv')).toEqual([]);
    expect((await readCommittedBlob(azurite.direct, 'blocks/empty.csv'))?.length).toBe(0);
  });

  it('keeps the previous file whole until publish replaces it in one step', async () => {
    const old = randomBytes(3 * MiB);
    const replacement = randomBytes(17 * MiB);
    await withConnector(target, async (connector) => {
      await put(connector, 'replace', 'data.bin', old);
      const upload = await connector.beginUpload({ folder: 'replace', name: 'data.bin' });
      await upload.write(chunksOf(replacement, MiB));
      expect(sha256(await readCommittedBlob(azurite.direct, 'replace/data.bin'))).toBe(sha256(old));
      expect(await blobsWithUncommittedBlocks(azurite.direct)).toEqual(['replace/data.bin']);
      await upload.publish();
    });
    expect(sha256(await readCommittedBlob(azurite.direct, 'replace/data.bin'))).toBe(sha256(replacement));
    expect(await blobsWithUncommittedBlocks(azurite.direct)).toEqual([]);
  }, 60_000);

  it('leaves a published file untouched when a replacement is aborted; its invisible blocks go with the next publish', async () => {
    const old = Buffer.from('published,1\n');
    await withConnector(target, async (connector) => {
      await put(connector, 'keep', 'file.csv', old);
      const upload = await connector.beginUpload({ folder: 'keep', name: 'file.csv' });
      await upload.write(chunksOf(randomBytes(9 * MiB), MiB));
      await upload.abort();
      expect(await readCommittedBlob(azurite.direct, 'keep/file.csv')).toEqual(old);
      // Azure offers no call that drops uncommitted blocks without touching the committed blob.
      expect(await blobsWithUncommittedBlocks(azurite.direct)).toEqual(['keep/file.csv']);
      await put(connector, 'keep', 'file.csv', Buffer.from('next,2\n'));
    });
    expect(await blobsWithUncommittedBlocks(azurite.direct)).toEqual([]);
    expect((await readCommittedBlob(azurite.direct, 'keep/file.csv'))?.toString()).toBe('next,2\n');
  }, 60_000);

  it('lets the first of two concurrent uploads of one name to publish win whole; the other fails as transient', async () => {
    const first = randomBytes(10 * MiB);
    const second = randomBytes(12 * MiB);
    await withConnector(target, async (connector) => {
      const a = await connector.beginUpload({ folder: 'race', name: 'same.bin' });
      const b = await connector.beginUpload({ folder: 'race', name: 'same.bin' });
      await Promise.all([a.write(chunksOf(first, MiB)), b.write(chunksOf(second, MiB))]);
      await a.publish();
      // Azure discards every uncommitted block of a blob when a block list is committed, b's included.
      const error = await failureOf(b.publish());
      expect(error.code).toBe('SERVER_ERROR');
      expect(error.transient).toBe(true);
      await b.abort();
    });
    expect(sha256(await readCommittedBlob(azurite.direct, 'race/same.bin'))).toBe(sha256(first));
  }, 60_000);

  it('stops staging when aborted during a write and, once its blocks in flight are answered, leaves no blob and no uncommitted blocks', async () => {
    let sent = 0;
    async function* endless() {
      for (;;) {
        sent += MiB;
        yield randomBytes(MiB);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await withConnector(target, async (connector) => {
      const upload = await connector.beginUpload({ folder: 'cancelled', name: 'mid-write.bin' });
      const writing = upload.write(endless());
      await expect.poll(() => blockRequestsTo('/exports/cancelled/mid-write.bin').length, { timeout: 30_000 }).toBeGreaterThan(1);
      await upload.abort();
      await expect(writing).rejects.toThrow('aborted while writing');
      await expect(upload.publish()).rejects.toThrow('aborted');
      expect(azurite.frontRequests.filter((request) => request.path === '/exports/cancelled/mid-write.bin' && request.refused !== undefined)).toEqual([]);
    });
    expect(sent).toBeGreaterThan(16 * MiB);
    expect(await readCommittedBlob(azurite.direct, 'cancelled/mid-write.bin')).toBeUndefined();
    expect(await blobsWithUncommittedBlocks(azurite.direct)).toEqual([]);
  }, 60_000);

  it("rejects with the caller's reason when the caller's signal is aborted, and nothing is published", async () => {
    const controller = new AbortController();
    async function* endless() {
      for (;;) {
        yield randomBytes(MiB);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await withConnector(target, async (connector) => {
      const upload = await connector.beginUpload({ folder: 'cancelled', name: 'by-caller.bin' }, { signal: controller.signal });
      const writing = upload.write(endless());
      await expect.poll(() => blockRequestsTo('/exports/cancelled/by-caller.bin').length, { timeout: 30_000 }).toBeGreaterThan(0);
      controller.abort(new Error('the run was cancelled'));
      await expect(writing).rejects.toThrow('the run was cancelled');
      await upload.abort();
    });
    // Not asserted: uncommitted blocks. A Put Block cancelled on the client after its body was sent may still be
    // stored after abort's delete; it stays invisible and Azure collects it within a week.
    expect(await readCommittedBlob(azurite.direct, 'cancelled/by-caller.bin')).toBeUndefined();
  }, 60_000);

  it('lists only the files directly in a folder, with their sizes', async () => {
    await withConnector(target, async (connector) => {
      await put(connector, 'tree', 'a.csv', Buffer.from('12345'));
      await put(connector, 'tree/sub', 'b.csv', Buffer.from('1'));
      expect((await connector.list('tree')).map((file) => [file.name, file.size, file.temporary])).toEqual([['a.csv', 5, false]]);
      expect((await connector.list('tree/')).map((file) => file.name)).toEqual(['a.csv']);
    });
  });

  it('never forwards a body shorter than its Content-Length to Azurite', async () => {
    const front = new URL(azurite.blobEndpoint);
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(front.port), front.hostname, () => {
        socket.write(`PUT ${front.pathname}/exports/cut/short.bin?comp=block&blockid=AAAA HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789`);
        setImmediate(() => socket.destroy());
      });
      socket.on('close', () => resolve());
    });
    await expect.poll(() => azurite.frontRequests.find((request) => request.path === '/exports/cut/short.bin')?.refused).toBe('IncompleteBody');
    expect(await blobsWithUncommittedBlocks(azurite.direct)).not.toContain('cut/short.bin');
  });

  it('reports a closed port and an unknown host as UNREACHABLE', async () => {
    const closed = await closedLoopbackPort();
    for (const endpoint of [`http://127.0.0.1:${closed}/activatortest`, 'http://no-such-host.invalid/activatortest']) {
      const error = await withConnector(withEndpoint(endpoint), (connector) => failureOf(connector.checkConnection()));
      expect(error.code).toBe('UNREACHABLE');
      expect(error.transient).toBe(true);
    }
  });

  it('reports a connection reset before any answer as UNREACHABLE', async () => {
    const resetting = net.createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(resetting.address() as net.AddressInfo).port}/activatortest`;
      const error = await withConnector(withEndpoint(endpoint), (connector) => failureOf(connector.checkConnection()));
      expect(error.code).toBe('UNREACHABLE');
      expect(error.message).toContain('ECONNRESET');
    } finally {
      await new Promise<void>((resolve) => resetting.close(() => resolve()));
    }
  });

  it('reports a server that never answers as TIMEOUT', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/activatortest`;
      const error = await withConnector(withEndpoint(endpoint), (connector) => failureOf(connector.checkConnection()), 300);
      expect(error.code).toBe('TIMEOUT');
      expect(error.transient).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it.each([
    [503, 'ServerBusy'],
    [500, 'InternalError'],
    [429, 'TooManyRequests'],
  ])('reports HTTP %i %s as SERVER_ERROR, a transient failure', async (status, errorCode) => {
    const error = await withAnsweringServer(status, errorCode, (endpoint) => withConnector(withEndpoint(endpoint), (connector) => failureOf(connector.checkConnection())));
    expect(error.code).toBe('SERVER_ERROR');
    expect(error.transient).toBe(true);
    expect(error.message).toContain(errorCode);
  });

  it.each([
    ['a key that is not base64', (s: AzuriteServer) => s.connectionString.replace(s.accountKey, 'not base64!'), /AccountKey is not valid base64/],
    ['a misspelt key', (s: AzuriteServer) => s.connectionString.replace('AccountName=', 'AcountName='), /"AcountName"/],
    ['no credentials', (s: AzuriteServer) => `BlobEndpoint=${s.blobEndpoint}`, /no credentials/],
  ])('refuses a connection string with %s as INVALID_CONFIGURATION without echoing the key', async (_what, connectionString, message) => {
    const error = await withConnector({ ...target, connectionString: connectionString(azurite) }, (connector) => failureOf(connector.checkConnection()));
    expect(error.code).toBe('INVALID_CONFIGURATION');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(azurite.accountKey);
  });

  it('refuses an invalid container name as INVALID_CONFIGURATION before any request', async () => {
    const before = azurite.frontRequests.length;
    const error = await withConnector({ ...target, container: 'Bad--Name' }, (connector) => failureOf(connector.checkConnection()));
    expect(error.code).toBe('INVALID_CONFIGURATION');
    expect(azurite.frontRequests.length).toBe(before);
  });
});
